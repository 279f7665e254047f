/**
 * How evenly `havoc suite --shard i/n` splits the nightly suite: the partition the shards compute (longest processing
 * time first on each scenario's last wall time) applied to the nightly suite's recorded wall times
 * (bench/results/nightly-suite.json: each scenario's wall time on the 2-core machine, p50 of 3 runs), for n = 2 and 3.
 * Figures: longest shard / mean shard (1.00 = perfect), each shard's wall time, and the longest shard against one
 * machine running everything. Beside them, for comparison: the split by count a first night without history gets,
 * and the longest shard if every run took its slowest recorded time (the partition is fixed before the night).
 * Given a suite history file instead, its last wall times are used.
 *
 *   npx tsx bench/shard-balance.ts [havoc-results/suite-history.ndjson]
 *
 * Pure arithmetic on recorded figures: runs no scenario, takes well under a second.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readSuiteHistory } from "../engine/suite/history-file.ts";
import { balanceRatio, lastWallTimesMs, partitionUnits, type ShardUnit } from "../engine/suite/shard.ts";
import { BenchRecorder } from "./lib/results.ts";
import { stats } from "./lib/stats.ts";

interface Recorded {
  /** ms, the value the partition is computed from. */
  wallMs: number;
  /** ms, the slowest of the recorded runs (same as wallMs when only one is known). */
  slowestMs: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const historyArg = process.argv[2];

async function recordedWallTimes(): Promise<{ source: string; times: Map<string, Recorded> }> {
  if (historyArg) {
    const history = await readSuiteHistory(historyArg);
    const last = lastWallTimesMs(history.records);
    if (last.size === 0) throw new Error(`${historyArg}: no completed run recorded`);
    return { source: `${historyArg} (${history.records.length} suites)`, times: new Map([...last].map(([s, ms]) => [s, { wallMs: ms, slowestMs: ms }])) };
  }
  const path = join(root, "bench", "results", "nightly-suite.json");
  const bench = JSON.parse(readFileSync(path, "utf8")) as { rows: { id: string; havoc: { p50: number; max: number } }[]; notes: string[] };
  const rows = bench.rows.filter((r) => r.id.startsWith("suite.") && r.id !== "suite.pass");
  return {
    source: `bench/results/nightly-suite.json (${bench.notes[0] ?? "the nightly suite"})`,
    times: new Map(rows.map((r) => [r.id.slice("suite.".length), { wallMs: r.havoc.p50 * 1000, slowestMs: r.havoc.max * 1000 }])),
  };
}

const { source, times } = await recordedWallTimes();
// The units as the suite plans them (one run per scenario: the nightly npm script runs no repeats); the file path
// only orders ties, so a stand-in of the scenario's name does.
const units: ShardUnit[] = [...times.keys()].map((scenario) => ({ scenario, file: `scenarios/${scenario}.ts`, repeat: 1 }));
const lastWall = new Map([...times].map(([s, t]) => [s, t.wallMs]));
const totalMs = [...times.values()].reduce((a, t) => a + t.wallMs, 0);
const largestMs = Math.max(...lastWall.values());
const s = (ms: number) => Math.round(ms / 1000);

const recorder = new BenchRecorder("shard-balance", `npx tsx bench/shard-balance.ts${historyArg ? ` ${historyArg}` : ""}`);
recorder.notes.push(`wall times from ${source}: ${units.length} runs, ${s(totalMs)} s on one machine`);
console.log(`${units.length} runs, ${s(totalMs)} s on one machine (wall times from ${source})`);

for (const n of [2, 3]) {
  const lpt = partitionUnits(units, n, lastWall);
  const byCount = partitionUnits(units, n, new Map());
  const loadsOf = (shardOf: readonly number[], pick: (t: Recorded) => number) =>
    Array.from({ length: n }, (_, k) => units.reduce((sum, u, i) => sum + (shardOf[i] === k + 1 ? pick(times.get(u.scenario)!) : 0), 0));
  const loads = loadsOf(lpt.shardOf, (t) => t.wallMs);
  const countLoads = loadsOf(byCount.shardOf, (t) => t.wallMs);
  const slowLoads = loadsOf(lpt.shardOf, (t) => t.slowestMs);
  const ratio = balanceRatio(loads);
  const longestMs = Math.max(...loads);
  // No split can beat the mean, nor put less than the largest run on some machine.
  const boundMs = Math.max(totalMs / n, largestMs);
  recorder.add({
    id: `shard.n${n}.balance`,
    figure: `longest shard / mean shard, ${n} shards (longest first on the last wall times)`,
    unit: "ratio",
    havoc: stats([ratio], 3),
    baseline: { what: "split by count (a first night, no history)", stats: stats([balanceRatio(countLoads)], 3) },
  });
  recorder.add({ id: `shard.n${n}.wall`, figure: `wall time of each of ${n} shards`, unit: "s", havoc: stats(loads.map((l) => l / 1000), 0) });
  recorder.add({
    id: `shard.n${n}.longest`,
    figure: `the night's wall time on ${n} machines (longest shard)`,
    unit: "s",
    havoc: stats([longestMs / 1000], 0),
    baseline: { what: "one machine running every run", stats: stats([totalMs / 1000], 0) },
    ratio: Number((longestMs / totalMs).toFixed(3)),
  });
  recorder.add({ id: `shard.n${n}.slowest`, figure: `longest shard if every run took its slowest recorded time, ${n} shards`, unit: "s", havoc: stats([Math.max(...slowLoads) / 1000], 0) });
  const perShard = loads.map((l, k) => `shard ${k + 1}/${n}: ${s(l)} s (${lpt.shardOf.filter((x) => x === k + 1).length} runs)`).join(", ");
  recorder.notes.push(`n = ${n}: ${perShard}; longest/mean ${ratio.toFixed(3)}; lower bound for any split ${s(boundMs)} s; by count ${countLoads.map(s).join(" / ")} s`);
  console.log(`n = ${n}: ${perShard}`);
  console.log(`  longest / mean ${ratio.toFixed(3)} (by count: ${balanceRatio(countLoads).toFixed(3)}); longest ${s(longestMs)} s vs ${s(totalMs)} s on one machine; no split can beat ${s(boundMs)} s; if every run took its slowest recorded time: ${s(Math.max(...slowLoads))} s`);
}
recorder.write();
