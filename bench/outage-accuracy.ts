/**
 * Accuracy of the outage the report gives against ground truth: trackr's balancer frozen for exactly 1 s, 3 s and
 * 10 s and SIGKILLed for 5 s (bench/fixtures/outage-ground-truth.ts), each run through `havoc run` as a user would,
 * N runs. Truth per fault: pause = Docker's pause event to the end of the unpause call; kill = Docker's die event to
 * the ready probe after the start (an upper bound: the probe polls every 100 ms after the start). Error = reported -
 * truth, in ms. Writes bench/results/outage-accuracy.json.
 *
 *   npx tsx bench/outage-accuracy.ts [runs=5]
 */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { History } from "../core/history.ts";
import { RunReport } from "../judge/report-schema.ts";
import { BenchRecorder } from "./lib/results.ts";
import { stats } from "./lib/stats.ts";

const runs = Number(process.argv[2] ?? 5);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const faults = [
  { id: "pause-1s", what: "balancer paused for 1 s" },
  { id: "pause-3s", what: "balancer paused for 3 s" },
  { id: "pause-10s", what: "balancer paused for 10 s" },
  { id: "kill-5s", what: "balancer SIGKILLed for 5 s" },
];
const truth = new Map<string, number[]>(faults.map((f) => [f.id, []]));
const reported = new Map<string, number[]>(faults.map((f) => [f.id, []]));
const recorder = new BenchRecorder("outage-accuracy", `npx tsx bench/outage-accuracy.ts ${runs}`);

for (let run = 1; run <= runs; run++) {
  const reports = await mkdtemp(join(tmpdir(), "havoc-bench-accuracy-"));
  const started = Date.now();
  const result = spawnSync(process.execPath, [join(root, "bin/havoc.js"), "run", "bench/fixtures/outage-ground-truth.ts", "--seed", String(run), "--reports", reports], { cwd: root, encoding: "utf8" });
  const report = RunReport.parse(JSON.parse(await readFile(join(reports, "latest", "report.json"), "utf8")));
  const history = History.parse(JSON.parse(await readFile(join(reports, "latest", "history.json"), "utf8")));
  if (report.status !== "completed") throw new Error(`run ${run} ${report.status}: ${report.reason ?? ""}\n${result.stderr.slice(-2000)}`);
  for (const { id } of faults) {
    const fault = history.faults.find((f) => f.id === id)!;
    truth.get(id)!.push(fault.healedAtMs! - fault.injectedAtMs);
    reported.get(id)!.push(report.slos.find((s) => s.id === `outage-${id}`)!.observed!);
  }
  console.log(`run ${run}/${runs} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${faults.map(({ id }) => `${id} error ${reported.get(id)!.at(-1)! - truth.get(id)!.at(-1)!} ms`).join(", ")}`);
}

for (const { id, what } of faults) {
  const t = truth.get(id)!;
  const r = reported.get(id)!;
  const errors = r.map((x, i) => x - t[i]!);
  recorder.add({
    id: `outage.${id}.error`,
    figure: `${what}: reported outage - ground truth`,
    unit: "ms",
    havoc: stats(errors, 0),
    baseline: { what: id.startsWith("kill") ? "ground truth, death event to ready probe (ms)" : "ground truth, pause event to unpause (ms)", stats: stats(t, 0) },
    goal: "|error| within 250 ms (test/integration/verdict-fidelity.test.ts holds a 10 s kill and a 3 s pause to it)",
  });
  console.log(`${what.padEnd(28)} truth p50 ${stats(t, 0).p50} ms, reported p50 ${stats(r, 0).p50} ms, error p50 ${stats(errors, 0).p50} ms (min ${Math.min(...errors)}, max ${Math.max(...errors)})`);
}
recorder.notes.push("devices post 50 readings a second through the balancer with the default 2 s timeout; the kill's truth ends at the ready probe, which polls every 100 ms after the start, so a negative error there means the ops saw the balancer answer before the probe did");
recorder.notes.push(
  "a pause's truth here is the fault's length, which is not what clients see: a pause shorter than the 2 s request timeout holds requests and answers them after the unpause (no failed op: the report says 0, error = -pause); after the 10 s pause the balancer failed the requests it had held (started up to 2 s before the unpause, answered with errors at the unpause) and the first ok answer came about 0.9 s later. The report's outage runs from the first failed op's start to the first ok op's answer, so a positive error there is outage the clients saw after the heal",
);
recorder.write();
