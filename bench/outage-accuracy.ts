/**
 * Accuracy of the outage the report gives against ground truth: the balancer of trackr frozen for exactly 1 s, 3 s
 * and 10 s and SIGKILLed for 5 s (bench/fixtures/outage-ground-truth.ts), each run through `havoc run` as a user
 * would. Truth per fault: pause = Docker's pause event to the end of the unpause call; kill = Docker's die event to
 * the ready probe after the start (an upper bound: the probe polls every 100 ms). Error = reported - truth, in ms.
 * Prints the table and writes bench/results/outage-accuracy.json.
 *
 *   npx tsx bench/outage-accuracy.ts [runs=5]
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { History } from "../core/history.ts";
import { RunReport } from "../reports/report-schema.ts";

const runs = Number(process.argv[2] ?? 5);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const faults = ["pause-1s", "pause-3s", "pause-10s", "kill-5s"];
const errors = new Map<string, number[]>(faults.map((f) => [f, []]));
const rows: { run: number; fault: string; truthMs: number; reportedMs: number; errorMs: number }[] = [];

for (let run = 1; run <= runs; run++) {
  const reports = await mkdtemp(join(tmpdir(), "havoc-bench-accuracy-"));
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(root, "bin/havoc.js"), "run", "bench/fixtures/outage-ground-truth.ts", "--seed", String(run), "--reports", reports], { cwd: root, encoding: "utf8" });
  const report = RunReport.parse(JSON.parse(await readFile(join(reports, "latest", "report.json"), "utf8")));
  const history = History.parse(JSON.parse(await readFile(join(reports, "latest", "history.json"), "utf8")));
  if (report.status !== "completed") throw new Error(`run ${run} ${report.status}: ${report.reason ?? ""}\n${result.stderr.slice(-2000)}`);
  for (const id of faults) {
    const fault = history.faults.find((f) => f.id === id)!;
    const truthMs = fault.healedAtMs! - fault.injectedAtMs;
    const reportedMs = report.slos.find((s) => s.id === `outage-${id}`)!.observed!;
    errors.get(id)!.push(reportedMs - truthMs);
    rows.push({ run, fault: id, truthMs, reportedMs, errorMs: reportedMs - truthMs });
  }
  console.log(`run ${run}/${runs} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${faults.map((f) => `${f} ${errors.get(f)!.at(-1)} ms`).join(", ")}`);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = faults.map((f) => {
  const e = errors.get(f)!;
  return { fault: f, runs: e.length, medianErrorMs: median(e), minErrorMs: Math.min(...e), maxErrorMs: Math.max(...e), medianAbsErrorMs: median(e.map(Math.abs)) };
});
console.log("\nfault       runs  median error  spread (min..max)  median |error|");
for (const s of summary) console.log(`${s.fault.padEnd(10)}  ${String(s.runs).padStart(4)}  ${`${s.medianErrorMs} ms`.padStart(12)}  ${`${s.minErrorMs}..${s.maxErrorMs} ms`.padStart(17)}  ${`${s.medianAbsErrorMs} ms`.padStart(14)}`);
await mkdir(join(root, "bench/results"), { recursive: true });
await writeFile(join(root, "bench/results/outage-accuracy.json"), JSON.stringify({ measuredAt: new Date().toISOString(), command: `npx tsx bench/outage-accuracy.ts ${runs}`, summary, rows }, null, 2) + "\n");
