/**
 * The nightly suite's wall time on this machine: every scenario of scenarios/ one after another (npm run
 * suite:nightly), or, given a suite directory, the figures of that saved run (e.g. one run by hand with --repeat).
 * Rows: the whole suite, and each scenario's wall time (setup, traffic, readback, reports, teardown) against its
 * traffic time. Writes bench/results/nightly-suite.json.
 *
 *   npx tsx bench/nightly-suite.ts [suite-dir]
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchRecorder } from "./lib/results.ts";
import { stats } from "./lib/stats.ts";

interface SavedSuite {
  name: string;
  durationMs: number;
  repeat: number;
  command: string;
  runs: { scenario: string; durationMs: number; trafficEndMs: number; suiteVerdict: string }[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
let dir = process.argv[2];
if (!dir) {
  const result = spawnSync("npm", ["run", "suite:nightly"], { cwd: root, stdio: "inherit" });
  console.log(`npm run suite:nightly exited ${result.status}`);
  const suites = join(root, "havoc-results", "suites");
  dir = join(suites, readdirSync(suites).filter((d) => d.endsWith("-nightly")).sort().at(-1)!);
}
const suite = JSON.parse(readFileSync(join(dir, "suite.json"), "utf8")) as SavedSuite;
const recorder = new BenchRecorder("nightly-suite", `npx tsx bench/nightly-suite.ts${process.argv[2] ? ` ${process.argv[2]}` : ""} (suite: ${suite.command})`);
const passMs = suite.durationMs / suite.repeat;
recorder.add({ id: "suite.pass", figure: `one pass of the ${suite.name} suite (${suite.runs.length / suite.repeat} scenario runs)`, unit: "s", havoc: stats([passMs / 1000], 0) });
const byScenario = new Map<string, { wall: number[]; traffic: number[] }>();
for (const run of suite.runs) {
  const entry = byScenario.get(run.scenario) ?? { wall: [], traffic: [] };
  entry.wall.push(run.durationMs / 1000);
  entry.traffic.push(run.trafficEndMs / 1000);
  byScenario.set(run.scenario, entry);
}
for (const [scenario, { wall, traffic }] of byScenario)
  recorder.add({ id: `suite.${scenario}`, figure: `${scenario}: wall time of one run`, unit: "s", havoc: stats(wall, 0), baseline: { what: "its traffic time (s)", stats: stats(traffic, 0) } });
recorder.notes.push(`suite ${dir}: ${suite.runs.length} runs in ${(suite.durationMs / 60_000).toFixed(1)} min (repeat ${suite.repeat}); verdicts ${[...new Set(suite.runs.map((r) => r.suiteVerdict))].join(", ")}`);
recorder.write();
console.log(`one pass: ${(passMs / 60_000).toFixed(1)} min over ${byScenario.size} scenarios`);
