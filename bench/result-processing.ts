/**
 * Result processing: 1,000,000 op lines (the device-fleet/user-sessions format, 1 % writes, made once by
 * bench/fake-k6-stream.mjs into a file before any timer starts) through the harness's pipeline, as `havoc run` takes
 * them from k6: startK6's line parser (readline + zod) reading bench/replay-k6-stream.sh in place of k6 (it cats the
 * file to stderr), then TimelineBuilder (closing seconds as the stream's clock advances) and WriteLedger (NDJSON file
 * + id sets). Lines per second and peak RSS, each repetition in a fresh child process (peak RSS is per process).
 * Baseline in the same process tree: the same file through `cat` and readline + JSON.parse only (decoding, no harness).
 *
 *   npx tsx bench/result-processing.ts [repetitions=5] [lines=1000000]
 */
import { spawn } from "node:child_process";
import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createLogger } from "../core/log.ts";
import { startK6 } from "../load/k6-process.ts";
import { TimelineBuilder } from "../load/timeline.ts";
import { WriteLedger } from "../load/write-ledger.ts";
import { BenchRecorder } from "./lib/results.ts";
import { describeStats, pairedRatios, ratio, stats } from "./lib/stats.ts";

const fakeK6 = fileURLToPath(new URL("./fake-k6-stream.mjs", import.meta.url));
const replayK6 = fileURLToPath(new URL("./replay-k6-stream.sh", import.meta.url));
const OPS_PER_S = 4_000;
const WRITES_PER_S = 40;

interface ChildResult {
  lines: number;
  wallMs: number;
  linesPerS: number;
  peakRssMb: number;
}

/** Writes `lines` op lines (stream time starting at `originMs`) to `path` with the stand-in generator. */
async function makeOpFile(path: string, lines: number, originMs: number): Promise<void> {
  const env = { ...process.env, BENCH_SECONDS: String(Math.ceil(lines / OPS_PER_S)), BENCH_OPS_PER_S: String(OPS_PER_S), BENCH_WRITES_PER_S: String(WRITES_PER_S), BENCH_ORIGIN_MS: String(originMs) };
  const out = await open(path, "w");
  try {
    const child = spawn(process.execPath, [fakeK6], { env, stdio: ["ignore", "ignore", out.fd] });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    if (code !== 0) throw new Error(`fake-k6-stream exited ${code}`);
  } finally {
    await out.close();
  }
}

const peakRssMb = () => Number((process.resourceUsage().maxRSS / 1024).toFixed(1));

/** In a child: the harness pipeline. */
async function pipeline(opFile: string, origin: number): Promise<ChildResult> {
  const dir = await mkdtemp(join(tmpdir(), "havoc-bench-results-"));
  try {
    const timeline = new TimelineBuilder(origin, () => undefined);
    const ledger = new WriteLedger(join(dir, "ledger.ndjson"), origin);
    let clock = origin;
    const started = process.hrtime.bigint();
    const handle = startK6({
      k6Path: replayK6,
      scriptPath: "unused",
      runDir: dir,
      traffic: "bench",
      env: { BENCH_OP_FILE: opFile },
      durationMs: 3_600_000,
      gracefulStopMs: 0,
      logger: createLogger("bench", () => undefined),
      onLog: () => undefined,
      onOp: (op) => {
        timeline.add(op);
        ledger.add(op);
        // The runner calls advance(Date.now()) once a second; here once per second of the stream's own clock.
        if (op.startEpochMs >= clock + 1_000) timeline.advance((clock = op.startEpochMs));
      },
    });
    const result = await handle.done;
    timeline.finish();
    await ledger.close();
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.badOpLines > 0) throw new Error(`${result.badOpLines} op lines rejected by the parser`);
    return { lines: result.opLines, wallMs, linesPerS: result.opLines / (wallMs / 1000), peakRssMb: peakRssMb() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** In a child: the floor, reading and decoding the same lines only. */
async function decodeOnly(opFile: string): Promise<ChildResult> {
  const started = process.hrtime.bigint();
  const child = spawn("cat", [opFile], { stdio: ["ignore", "pipe", "inherit"] });
  let count = 0;
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    if (line.startsWith('{"havoc":"op"') && JSON.parse(line)) count++;
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { lines: count, wallMs, linesPerS: count / (wallMs / 1000), peakRssMb: peakRssMb() };
}

const [mode, arg, originArg] = process.argv.slice(2);
if (mode === "--child-pipeline" || mode === "--child-decode") {
  const result = mode === "--child-pipeline" ? await pipeline(arg!, Number(originArg)) : await decodeOnly(arg!);
  process.stdout.write(JSON.stringify(result) + "\n");
} else {
  const repetitions = Number(mode ?? 5);
  const lines = Number(arg ?? 1_000_000);
  const recorder = new BenchRecorder("result-processing", `npx tsx bench/result-processing.ts ${process.argv.slice(2).join(" ")}`.trim());
  const dir = await mkdtemp(join(tmpdir(), "havoc-bench-oplines-"));
  const opFile = join(dir, "ops.ndjson");
  const origin = Date.now();
  await makeOpFile(opFile, lines, origin);
  const inChild = (which: "pipeline" | "decode") =>
    new Promise<ChildResult>((resolve, reject) => {
      const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), `--child-${which}`, opFile, String(origin)], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as ChildResult) : reject(new Error(`${which} child exited ${code}`))));
    });
  console.log(`${lines} op lines (${OPS_PER_S}/s of stream time, ${WRITES_PER_S} writes/s), ${repetitions} repetitions per side, each in its own process`);
  const runs = { pipeline: [] as ChildResult[], decode: [] as ChildResult[] };
  for (let i = 0; i < repetitions; i++) {
    for (const which of i % 2 === 0 ? (["pipeline", "decode"] as const) : (["decode", "pipeline"] as const)) {
      const r = await inChild(which);
      runs[which].push(r);
      console.log(`${which.padEnd(8)} ${r.lines} lines in ${(r.wallMs / 1000).toFixed(2)} s = ${Math.round(r.linesPerS)} lines/s, peak RSS ${r.peakRssMb} MB`);
    }
  }
  const rate = stats(runs.pipeline.map((r) => r.linesPerS), 0);
  const rateFloor = stats(runs.decode.map((r) => r.linesPerS), 0);
  const rss = stats(runs.pipeline.map((r) => r.peakRssMb));
  const rssFloor = stats(runs.decode.map((r) => r.peakRssMb));
  console.log(`lines/s: ${describeStats(rate, "lines/s")} vs decode only ${describeStats(rateFloor, "lines/s")}: ratio ${ratio(rate.p50, rateFloor.p50)}`);
  console.log(`peak RSS: ${describeStats(rss, "MB")} vs decode only ${describeStats(rssFloor, "MB")}`);
  const floor = "the same lines through cat, readline + JSON.parse only";
  recorder.add({ id: "results.lines-per-s", figure: `${lines.toLocaleString("en")} op lines through parser + timeline + ledger: rate`, unit: "lines/s", havoc: rate, baseline: { what: floor, stats: rateFloor }, ratio: ratio(rate.p50, rateFloor.p50), pairedRatio: pairedRatios(runs.pipeline.map((r) => r.linesPerS), runs.decode.map((r) => r.linesPerS)), goal: "well above the design's peak of ~4,200 ops/s" });
  recorder.add({ id: "results.peak-rss", figure: `${lines.toLocaleString("en")} op lines through parser + timeline + ledger: peak RSS of the process`, unit: "MB", havoc: rss, baseline: { what: floor, stats: rssFloor }, ratio: ratio(rss.p50, rssFloor.p50), pairedRatio: pairedRatios(runs.pipeline.map((r) => r.peakRssMb), runs.decode.map((r) => r.peakRssMb)) });
  recorder.write();
  await rm(dir, { recursive: true, force: true });
}
