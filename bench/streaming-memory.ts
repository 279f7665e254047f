/**
 * RSS of result streaming over a long run: a synthetic 10-minute stream of op lines at the design's peak
 * (2,500 users x 100 req/min ~ 4,200 ops/s, ~42 writes/s) goes through the real pipeline: startK6's line parser
 * (readline + zod) fed by bench/fake-k6-stream.mjs in place of k6, then TimelineBuilder (closing seconds as the
 * simulated clock advances) and WriteLedger (NDJSON file + id sets). Accelerated time: the stream runs as fast as
 * the parser takes it. Prints RSS and heap every simulated minute; RSS must stay flat once warm (the ledger's id
 * sets grow by design, ~42 ids/s, a few MB over 10 min).
 *
 *   npx tsx bench/streaming-memory.ts [seconds=600] [opsPerSecond=4200] [writesPerSecond=42]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLogger } from "../core/log.ts";
import { startK6 } from "../load/k6-process.ts";
import { TimelineBuilder } from "../load/timeline.ts";
import { WriteLedger } from "../load/write-ledger.ts";

const seconds = Number(process.argv[2] ?? 600);
const opsPerSecond = Number(process.argv[3] ?? 4_200);
const writesPerSecond = Number(process.argv[4] ?? 42);
const dir = await mkdtemp(join(tmpdir(), "havoc-bench-stream-"));
const origin = Date.now();
let buckets = 0;
const timeline = new TimelineBuilder(origin, () => buckets++);
const ledger = new WriteLedger(join(dir, "ledger.ndjson"), origin);
let ops = 0;
let simulatedNow = origin;
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
const samples: number[] = [];
const wallStart = Date.now();
console.log(`streaming ${seconds} simulated s x ${opsPerSecond} ops/s (${writesPerSecond} writes/s) through startK6 parser + TimelineBuilder + WriteLedger`);
console.log("sim_min  ops        rss_MB  heap_MB  open_buckets  wall_s");

const handle = startK6({
  k6Path: fileURLToPath(new URL("./fake-k6-stream.mjs", import.meta.url)),
  scriptPath: "unused",
  runDir: dir,
  traffic: "bench",
  env: { BENCH_SECONDS: String(seconds), BENCH_OPS_PER_S: String(opsPerSecond), BENCH_WRITES_PER_S: String(writesPerSecond), BENCH_ORIGIN_MS: String(origin) },
  durationMs: 3_600_000,
  gracefulStopMs: 0,
  logger: createLogger("bench"),
  onLog: (line) => console.log(`log: ${line.slice(0, 200)}`),
  onOp: (op) => {
    timeline.add(op);
    ledger.add(op);
    ops++;
    // The simulated clock: the runner calls advance(Date.now()) once a second; here once per simulated second.
    if (op.startEpochMs >= simulatedNow + 1_000) {
      simulatedNow = op.startEpochMs;
      timeline.advance(simulatedNow);
      const simSecond = Math.floor((simulatedNow - origin) / 1000);
      if (simSecond % 60 === 0) {
        const m = process.memoryUsage();
        samples.push(m.rss);
        console.log(`${String(simSecond / 60).padStart(7)}  ${String(ops).padEnd(9)}  ${mb(m.rss).padStart(6)}  ${mb(m.heapUsed).padStart(7)}  ${String(timeline.openBuckets).padStart(12)}  ${((Date.now() - wallStart) / 1000).toFixed(1).padStart(6)}`);
      }
    }
  },
});
const result = await handle.done;
timeline.finish();
await ledger.close();
const wallS = (Date.now() - wallStart) / 1000;
const m = process.memoryUsage();
const warm = samples.slice(1);
console.log(`done: ${result.opLines} op lines (${result.badOpLines} bad), ${buckets} buckets, ${ledger.sets("bench").acknowledged.length} acknowledged ids, in ${wallS.toFixed(1)} s wall (${Math.round(result.opLines / wallS)} lines/s, ${(seconds / wallS).toFixed(1)}x real time)`);
if (warm.length > 1) console.log(`RSS after warm-up: min ${mb(Math.min(...warm))} MB, max ${mb(Math.max(...warm))} MB, last ${mb(m.rss)} MB`);
await rm(dir, { recursive: true, force: true });
