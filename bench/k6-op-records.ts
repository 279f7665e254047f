/**
 * How a k6 script should hand its op records to havoc, measured: trackr's device fleet at an arrival rate above what
 * this machine drives, against the stand-in of bench/k6-throughput.ts (bench/lib/stand-in-server.ts), with printOp()
 * of `havoc/k6` replaced by each candidate (bench/k6-op-records/*.js), each run bare and through a reader like the
 * harness's (every record parsed into TimelineBuilder and WriteLedger):
 *
 * - json-pipe   format 1: console.log(JSON.stringify(op)), k6's stderr piped to Node, readline + JSON.parse + zod
 *               (what startK6 did);
 * - json-file   the same lines written by k6 to a file (--console-output), read a few times a second;
 * - tsv-pipe    format 2 (a TAB-separated positional line) on the stderr pipe, parsed by load/op-line-parser.ts;
 * - tsv-file    format 2 to a --console-output file, read a few times a second (load/file-lines.ts);
 * - metric-csv  a Counter sample per op (tags op/outcome/cause/node/stale, id and start in the VU's metadata)
 *               written by k6's built-in `--out csv=<file>`, read the same way;
 * - metric-json the same samples through `--out json=<file>`.
 *
 * "bare" is `k6 run` of the same script with its output discarded (and no --out): what a person would run. The floor
 * "none" is the script recording nothing. Per repetition every run goes once, the order reversed every other
 * repetition; CPU seconds of k6 and of this process per run come from load/harness-cost.ts.
 *
 *   npx tsx bench/k6-op-records.ts [repetitions=5] [seconds=10] [rate=4000] [maxVUs=400] [candidates=all]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { z } from "zod";
import { OpRecord } from "../core/history.ts";
import { createLogger } from "../core/log.ts";
import { ensureEnvironment } from "../env/bootstrap/ensure-environment.ts";
import { k6Path } from "../env/bootstrap/go-tools.ts";
import { followFileLines } from "../load/file-lines.ts";
import { HarnessCostMeter } from "../load/harness-cost.ts";
import { parseOpLine } from "../load/op-line-parser.ts";
import { TimelineBuilder } from "../load/timeline.ts";
import { K6Class, k6Launches } from "../load/traffic/k6.ts";
import { WriteLedger } from "../load/write-ledger.ts";
import { deviceFleet } from "../systems/trackr/traffic.ts";
import { k6SummaryFigures, type LoadFigures } from "./lib/k6-summary.ts";
import { BenchRecorder } from "./lib/results.ts";
import { startStandIn } from "./lib/stand-in-server.ts";
import { describeStats, pairedRatios, ratio, stats } from "./lib/stats.ts";

const repetitions = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 10);
const rate = Number(process.argv[4] ?? 4_000);
const maxVUs = Number(process.argv[5] ?? 400);
const only = process.argv[6]?.split(",");

type Script = "json" | "tsv" | "metric" | "none";
type Candidate = "json-pipe" | "json-file" | "tsv-pipe" | "tsv-file" | "metric-csv" | "metric-json";
const scriptOf: Record<Candidate, Script> = { "json-pipe": "json", "json-file": "json", "tsv-pipe": "tsv", "tsv-file": "tsv", "metric-csv": "metric", "metric-json": "metric" };
const variantFile: Record<Script, string> = { json: "json-console.js", tsv: "tsv-console.js", metric: "metric.js", none: "none.js" };
const candidates = (Object.keys(scriptOf) as Candidate[]).filter((c) => only === undefined || only.includes(c));
const scripts = [...new Set(candidates.map((c) => scriptOf[c])), "none" as const];

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const library = here("../load/k6/lib/public-api.ts");

/** device-fleet bundled as load/k6-bundle.ts does, with `havoc/k6` resolved to a candidate's variant. */
async function bundle(script: Script, outDir: string): Promise<string> {
  const variant = here(`./k6-op-records/${variantFile[script]}`);
  const resolve: Plugin = {
    name: "variant",
    setup(b) {
      b.onResolve({ filter: /^havoc\/k6$/ }, () => ({ path: variant }));
      b.onResolve({ filter: /^havoc-k6-library$/ }, () => ({ path: library }));
      b.onResolve({ filter: /^havoc-k6-library\/op-line-format$/ }, () => ({ path: here("../load/k6/lib/op-line-format.ts") }));
    },
  };
  const outfile = join(outDir, `device-fleet-${script}.bundle.js`);
  await build({ entryPoints: [here("../systems/trackr/k6/device-fleet.ts")], outfile, bundle: true, format: "esm", target: "es2020", platform: "neutral", mainFields: ["module", "main"], conditions: ["k6", "import", "default"], external: ["k6", "k6/*"], plugins: [resolve], logLevel: "silent" });
  return outfile;
}

/** Format 1 exactly as startK6 parsed it. */
const JsonOpLine = OpRecord.omit({ traffic: true }).extend({ havoc: z.literal("op") });

const recorder = new BenchRecorder("k6-op-records", `npx tsx bench/k6-op-records.ts ${process.argv.slice(2).join(" ")}`.trim());
await ensureEnvironment({ k6: true }, createLogger("bench"));
const dir = await mkdtemp(join(tmpdir(), "havoc-bench-oprec-"));
const server = await startStandIn();
const fleet = K6Class.parse(deviceFleet({ name: "bench", target: { node: "stand-in", port: 1 }, ratePerSecond: rate, duration: `${seconds}s`, devices: 50, maxVUs, requestTimeout: "2s" }));
const scriptPaths = new Map<Script, string>();
for (const script of scripts) scriptPaths.set(script, await bundle(script, dir));
const launch = k6Launches(fleet, { urls: [server.url], keySecret: "bench", runId: "bench", bundledScriptPath: "unused" })[0]!;
const k6Env = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", K6_NO_USAGE_REPORT: "true", K6_AUTO_EXTENSION_RESOLUTION: "false", ...launch.env };

interface Run extends LoadFigures {
  ops: number;
  havocCpuS: number;
  k6CpuS: number;
}

let runNumber = 0;

/** One k6 run; `read` consumes its output (undefined: discarded). */
async function runK6(script: Script, extraArgs: string[], read?: (child: ReturnType<typeof spawn>) => { finish(): number }): Promise<Run> {
  const summaryPath = join(dir, `summary-${runNumber++}.json`);
  const meter = new HarnessCostMeter();
  const args = ["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", "--address=", `--summary-export=${summaryPath}`, ...extraArgs, scriptPaths.get(script)!];
  const child = spawn(k6Path(), args, { env: k6Env, stdio: ["ignore", read ? "pipe" : "ignore", read ? "pipe" : "ignore"] });
  meter.track(child.pid!, "k6", true);
  const sampler = setInterval(() => meter.sample(), 1_000);
  const reader = read?.(child);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const closed = read ? Promise.all([child.stdout, child.stderr].map((s) => new Promise((resolve) => s!.once("close", resolve)))) : Promise.resolve();
  await exited;
  meter.exited(child.pid!);
  clearInterval(sampler);
  await closed;
  const ops = reader?.finish() ?? 0;
  const cost = meter.stop();
  return { ...(await k6SummaryFigures(summaryPath, seconds)), ops, havocCpuS: cost.havocCpuS, k6CpuS: cost.k6CpuS };
}

/** The harness's consumers: every op into a timeline and a ledger, the timeline advanced once a second. */
function consumers(i: number) {
  const started = Date.now();
  const timeline = new TimelineBuilder(started, () => undefined);
  const ledger = new WriteLedger(join(dir, `ledger-${runNumber}-${i}.ndjson`), started);
  const ticker = setInterval(() => timeline.advance(Date.now()), 1_000);
  let ops = 0;
  return {
    add(op: OpRecord) {
      ops++;
      timeline.add(op);
      ledger.add(op);
    },
    finish(): number {
      clearInterval(ticker);
      timeline.finish();
      void ledger.close();
      return ops;
    },
  };
}

function pipeLines(child: ReturnType<typeof spawn>, onLine: (line: string) => void): void {
  for (const stream of [child.stdout!, child.stderr!]) createInterface({ input: stream, crlfDelay: Infinity }).on("line", onLine);
}

const parseJson = (line: string): OpRecord | undefined => {
  if (!line.startsWith('{"havoc":"op"')) return undefined;
  const parsed = JsonOpLine.safeParse(JSON.parse(line));
  if (!parsed.success) return undefined;
  const { havoc: _marker, ...op } = parsed.data;
  return { ...op, traffic: "bench" };
};
const parseTsv = (line: string): OpRecord | undefined => {
  const op = parseOpLine(line, "bench");
  return typeof op === "string" ? undefined : op;
};

/** A row of k6's CSV output for havoc_op: tags and metadata as `k=v&k=v` (none of ours holds "&", "=" or ","). */
function csvReader(): (line: string) => OpRecord | undefined {
  let extraColumn = -1;
  return (line) => {
    if (extraColumn < 0 && line.startsWith("metric_name,")) extraColumn = line.split(",").indexOf("extra_tags");
    if (!line.startsWith("havoc_op,")) return undefined;
    const cells = line.split(",");
    const pairs = (cell: string) => Object.fromEntries(cell.split("&").map((kv) => kv.split("=") as [string, string]));
    const tags = pairs(cells[extraColumn]!);
    const meta = pairs(cells[extraColumn + 1]!);
    return { traffic: "bench", op: tags.op as OpRecord["op"], outcome: tags.outcome as OpRecord["outcome"], cause: tags.cause!, node: tags.node, id: meta.id, startEpochMs: Number(meta.start), durationMs: Number(cells[2]) };
  };
}

const JsonSample = z.object({ data: z.object({ value: z.number(), tags: z.record(z.string(), z.string()), metadata: z.record(z.string(), z.string()) }) });
function jsonSample(line: string): OpRecord | undefined {
  if (!line.startsWith('{"metric":"havoc_op","type":"Point"')) return undefined;
  const { data } = JsonSample.parse(JSON.parse(line));
  return { traffic: "bench", op: data.tags.op as OpRecord["op"], outcome: data.tags.outcome as OpRecord["outcome"], cause: data.tags.cause!, node: data.tags.node, id: data.metadata.id, startEpochMs: Number(data.metadata.start), durationMs: data.value };
}

function harness(candidate: Candidate, i: number): Promise<Run> {
  const script = scriptOf[candidate];
  const file = join(dir, `out-${runNumber}.${candidate}`);
  const viaFile = (parse: (line: string) => OpRecord | undefined) => (child: ReturnType<typeof spawn>) => {
    const sink = consumers(i);
    pipeLines(child, () => undefined); // k6's own log lines (warnings), as startK6 reads them
    const lines = followFileLines(file, (line) => {
      const op = parse(line);
      if (op) sink.add(op);
    });
    return {
      finish: () => {
        lines.finish();
        return sink.finish();
      },
    };
  };
  const viaPipe = (parse: (line: string) => OpRecord | undefined) => (child: ReturnType<typeof spawn>) => {
    const sink = consumers(i);
    pipeLines(child, (line) => {
      const op = parse(line);
      if (op) sink.add(op);
    });
    return sink;
  };
  switch (candidate) {
    case "json-pipe":
      return runK6(script, [], viaPipe(parseJson));
    case "json-file":
      return runK6(script, [`--console-output=${file}`], viaFile(parseJson));
    case "tsv-pipe":
      return runK6(script, [], viaPipe(parseTsv));
    case "tsv-file":
      return runK6(script, [`--console-output=${file}`], viaFile(parseTsv));
    case "metric-csv":
      return runK6(script, [`--out=csv=${file}`], viaFile(csvReader()));
    case "metric-json":
      return runK6(script, [`--out=json=${file}`], viaFile(jsonSample));
  }
}

type Side = { kind: "bare"; script: Script } | { kind: "harness"; candidate: Candidate };
const sideName = (s: Side) => (s.kind === "bare" ? `bare ${s.script}` : s.candidate);
const order: Side[] = scripts.flatMap((script): Side[] => [{ kind: "bare", script }, ...candidates.filter((c) => scriptOf[c] === script).map((candidate): Side => ({ kind: "harness", candidate }))]);

try {
  console.log(`device-fleet at ${rate}/s for ${seconds} s (maxVUs ${maxVUs}) against ${server.url}; ${repetitions} repetitions of: ${order.map(sideName).join(", ")}`);
  const runs = new Map<string, Run[]>(order.map((s) => [sideName(s), []]));
  for (let i = 0; i < repetitions; i++) {
    for (const side of i % 2 === 0 ? order : [...order].reverse()) {
      const r = side.kind === "bare" ? await runK6(side.script, []) : await harness(side.candidate, i);
      runs.get(sideName(side))!.push(r);
      await rm(join(dir, `out-${runNumber - 1}.${side.kind === "harness" ? side.candidate : ""}`), { force: true });
      console.log(`${sideName(side).padEnd(12)} ${r.reqPerS.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.dropped} dropped, k6 ${r.k6CpuS.toFixed(1)} s CPU, this process ${r.havocCpuS.toFixed(2)} s${side.kind === "harness" ? `, ${r.ops} ops read` : ""}`);
    }
  }
  const figures = [
    { key: "reqPerS", unit: "req/s", digits: 0, what: "request rate" },
    { key: "p50Ms", unit: "ms", digits: 2, what: "latency p50" },
    { key: "p99Ms", unit: "ms", digits: 2, what: "latency p99" },
    { key: "dropped", unit: "iterations", digits: 0, what: "dropped iterations" },
    { key: "k6CpuS", unit: "s", digits: 2, what: "k6 CPU" },
    { key: "havocCpuS", unit: "s", digits: 2, what: "reader (this process) CPU" },
  ] as const;
  const none = runs.get("bare none")!;
  for (const side of order) {
    const name = sideName(side);
    const mine = runs.get(name)!;
    const bare = side.kind === "bare" ? none : runs.get(`bare ${scriptOf[side.candidate]}`)!;
    const against = side.kind === "bare" ? "bare k6 recording nothing (printOp a no-op)" : `bare k6 with the same script (${scriptOf[side.candidate]} records), output discarded`;
    if (side.kind === "bare" && side.script === "none") continue;
    for (const f of figures) {
      const h = stats(mine.map((r) => r[f.key]), f.digits);
      const b = stats(bare.map((r) => r[f.key]), f.digits);
      const pair = pairedRatios(mine.map((r) => r[f.key] || 1e-9), bare.map((r) => r[f.key] || 1e-9));
      console.log(`${name} ${f.what}: ${describeStats(h, f.unit)} vs ${side.kind === "bare" ? "none" : `bare ${scriptOf[side.candidate]}`} ${describeStats(b, f.unit)}: ratio ${ratio(h.p50, b.p50)}, paired ${pair.p50}`);
      recorder.add({ id: `oprec.${name.replace(" ", "-")}.${f.key}`, figure: `device-fleet ${f.what}, ${name}`, unit: f.unit, havoc: h, baseline: { what: against, stats: b }, ratio: ratio(h.p50, b.p50), pairedRatio: pair });
    }
  }
  recorder.notes.push(`arrival rate ${rate}/s asked (above capacity), ${seconds} s per run, maxVUs ${maxVUs}; the stand-in answers 201 at once; a 2-core machine shared with other work`);
  recorder.write();
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
