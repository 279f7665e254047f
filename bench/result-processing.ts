/**
 * Result processing: 1,000,000 op lines (the device-fleet/user-sessions mix, 1 % writes, made once by
 * bench/fake-k6-stream.mjs into a file before any timer starts) through the harness's pipeline, as `havoc run` takes
 * them from k6: startK6 reading its --console-output file (load/file-lines.ts) with the op line parser
 * (load/op-line-parser.ts), bench/replay-k6-stream.sh in place of k6 (it copies the file there), then TimelineBuilder
 * (closing seconds as the stream's clock advances) and WriteLedger (NDJSON file + id sets); "pipeline+trace" adds the
 * OpTraceBuilder `havoc run` also feeds. Lines per second and peak RSS, each repetition in a fresh child process (peak
 * RSS is per process).
 * Baselines in the same process tree, decoding only (no harness): the same ops as format 1 lines (JSON, what havoc read
 * before) through `cat` and readline + JSON.parse, the floor this bench has always used; and the format 2 lines through
 * `cat` and readline + split at TAB.
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
import { OpTraceBuilder } from "../load/op-trace-builder.ts";
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

/** Writes `lines` op lines (stream time starting at `originMs`) in `format` to `path` with the stand-in generator. */
async function makeOpFile(path: string, lines: number, originMs: number, format: 1 | 2): Promise<void> {
  const env = { ...process.env, BENCH_SECONDS: String(Math.ceil(lines / OPS_PER_S)), BENCH_OPS_PER_S: String(OPS_PER_S), BENCH_WRITES_PER_S: String(WRITES_PER_S), BENCH_ORIGIN_MS: String(originMs), BENCH_FORMAT: String(format) };
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

/** In a child: the harness pipeline (with the op trace when `withTrace`). */
async function pipeline(opFile: string, origin: number, withTrace: boolean): Promise<ChildResult> {
  const dir = await mkdtemp(join(tmpdir(), "havoc-bench-results-"));
  try {
    const timeline = new TimelineBuilder(origin, () => undefined);
    const ledger = new WriteLedger(join(dir, "ledger.ndjson"), origin);
    const trace = withTrace ? new OpTraceBuilder(origin) : undefined;
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
        trace?.add(op);
        // The runner calls advance(Date.now()) once a second; here once per second of the stream's own clock.
        if (op.startEpochMs >= clock + 1_000) timeline.advance((clock = op.startEpochMs));
      },
    });
    const result = await handle.done;
    timeline.finish();
    await ledger.close();
    if (trace && Object.values(trace.encode()).reduce((n, t) => n + t.outcomes.length, 0) !== result.opLines) throw new Error("op trace lost ops");
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.badOpLines > 0) throw new Error(`${result.badOpLines} op lines rejected by the parser`);
    return { lines: result.opLines, wallMs, linesPerS: result.opLines / (wallMs / 1000), peakRssMb: peakRssMb() };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** In a child: a floor, reading and decoding the same ops only (format 1: JSON.parse; format 2: split at TAB). */
async function decodeOnly(opFile: string, format: 1 | 2): Promise<ChildResult> {
  const started = process.hrtime.bigint();
  const child = spawn("cat", [opFile], { stdio: ["ignore", "pipe", "inherit"] });
  let count = 0;
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Infinity })) {
    if (format === 1 ? line.startsWith('{"havoc":"op"') && JSON.parse(line) : line.startsWith("havoc-op/2\t") && line.split("\t").length === 9) count++;
  }
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  return { lines: count, wallMs, linesPerS: count / (wallMs / 1000), peakRssMb: peakRssMb() };
}

const sides = ["pipeline", "pipeline+trace", "decode-json", "decode-tsv"] as const;
type SideName = (typeof sides)[number];
const [mode, arg, originArg] = process.argv.slice(2);
if (mode?.startsWith("--child-")) {
  const which = mode.slice("--child-".length) as SideName;
  const result = which === "pipeline" || which === "pipeline+trace" ? await pipeline(arg!, Number(originArg), which === "pipeline+trace") : await decodeOnly(arg!, which === "decode-json" ? 1 : 2);
  process.stdout.write(JSON.stringify(result) + "\n");
} else {
  const repetitions = Number(mode ?? 5);
  const lines = Number(arg ?? 1_000_000);
  const recorder = new BenchRecorder("result-processing", `npx tsx bench/result-processing.ts ${process.argv.slice(2).join(" ")}`.trim());
  const dir = await mkdtemp(join(tmpdir(), "havoc-bench-oplines-"));
  const opFile = { 1: join(dir, "ops-format1.ndjson"), 2: join(dir, "ops-format2.tsv") };
  const origin = Date.now();
  await makeOpFile(opFile[1], lines, origin, 1);
  await makeOpFile(opFile[2], lines, origin, 2);
  const inChild = (which: SideName) =>
    new Promise<ChildResult>((resolve, reject) => {
      const file = which === "decode-json" ? opFile[1] : opFile[2];
      const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), `--child-${which}`, file, String(origin)], { stdio: ["ignore", "pipe", "inherit"] });
      let out = "";
      child.stdout.on("data", (d: Buffer) => (out += d.toString()));
      child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as ChildResult) : reject(new Error(`${which} child exited ${code}`))));
    });
  console.log(`${lines} op lines (${OPS_PER_S}/s of stream time, ${WRITES_PER_S} writes/s), ${repetitions} repetitions per side, each in its own process`);
  const runs = new Map<SideName, ChildResult[]>(sides.map((s) => [s, []]));
  for (let i = 0; i < repetitions; i++) {
    for (const which of i % 2 === 0 ? sides : [...sides].reverse()) {
      const r = await inChild(which);
      runs.get(which)!.push(r);
      console.log(`${which.padEnd(14)} ${r.lines} lines in ${(r.wallMs / 1000).toFixed(2)} s = ${Math.round(r.linesPerS)} lines/s, peak RSS ${r.peakRssMb} MB`);
    }
  }
  const of = (side: SideName, key: "linesPerS" | "peakRssMb") => runs.get(side)!.map((r) => r[key]);
  const floors = [
    { side: "decode-json", what: "the same ops as format 1 (JSON) lines through cat, readline + JSON.parse only (the floor of earlier runs)" },
    { side: "decode-tsv", what: "the same format 2 lines through cat, readline + split at TAB only" },
  ] as const;
  for (const [side, id, figure] of [
    ["pipeline", "results", "parser + timeline + ledger"],
    ["pipeline+trace", "results-with-trace", "parser + timeline + ledger + op trace"],
  ] as const) {
    const rate = stats(of(side, "linesPerS"), 0);
    const rss = stats(of(side, "peakRssMb"));
    for (const floor of floors) {
      const rateFloor = stats(of(floor.side, "linesPerS"), 0);
      const rssFloor = stats(of(floor.side, "peakRssMb"));
      console.log(`${side} lines/s: ${describeStats(rate, "lines/s")} vs ${floor.side} ${describeStats(rateFloor, "lines/s")}: ratio ${ratio(rate.p50, rateFloor.p50)}`);
      console.log(`${side} peak RSS: ${describeStats(rss, "MB")} vs ${floor.side} ${describeStats(rssFloor, "MB")}`);
      const suffix = floor.side === "decode-json" ? "" : ".vs-tsv";
      recorder.add({ id: `${id}.lines-per-s${suffix}`, figure: `${lines.toLocaleString("en")} op lines through ${figure}: rate`, unit: "lines/s", havoc: rate, baseline: { what: floor.what, stats: rateFloor }, ratio: ratio(rate.p50, rateFloor.p50), pairedRatio: pairedRatios(of(side, "linesPerS"), of(floor.side, "linesPerS")), goal: "at least 600,000 lines/s (0.75x of JSON decoding alone)" });
      recorder.add({ id: `${id}.peak-rss${suffix}`, figure: `${lines.toLocaleString("en")} op lines through ${figure}: peak RSS of the process`, unit: "MB", havoc: rss, baseline: { what: floor.what, stats: rssFloor }, ratio: ratio(rss.p50, rssFloor.p50), pairedRatio: pairedRatios(of(side, "peakRssMb"), of(floor.side, "peakRssMb")) });
    }
  }
  recorder.write();
  await rm(dir, { recursive: true, force: true });
}
