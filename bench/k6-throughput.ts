/**
 * Harness overhead: request rate and latency of the same k6 script (load/k6/device-fleet.ts) through the harness
 * against bare `k6 run`, same target: a minimal Node stand-in for trackr's POST /api/readings (201 at once) on
 * 127.0.0.1, in its own process (bench/lib/stand-in-server.ts). The arrival rate is set above what this machine can
 * drive, so both runs are CPU-bound and the achieved http_reqs/s is the capacity.
 * - bare: `k6 run` with k6's own output discarded (> /dev/null), as a person would run it;
 * - harness: startK6 (op lines parsed by Node) feeding TimelineBuilder and WriteLedger, as `havoc run` does.
 * `repetitions` runs per side, alternating which goes first; counts and latency from k6's --summary-export, CPU
 * seconds of k6 and of this process per run from load/harness-cost.ts (the harness's cost whatever the machine's load:
 * latency at saturation moves with every other process on a shared machine, CPU seconds much less).
 *
 *   npx tsx bench/k6-throughput.ts [repetitions=5] [seconds=10] [rate=4000] [maxVUs=400]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../core/log.ts";
import { ensureEnvironment } from "../env/bootstrap/ensure-environment.ts";
import { k6Path } from "../env/bootstrap/go-tools.ts";
import { HarnessCostMeter } from "../load/harness-cost.ts";
import { startK6 } from "../load/k6-process.ts";
import { deviceFleetLaunch } from "../test/support/device-fleet-k6.ts";
import { TimelineBuilder } from "../load/timeline.ts";
import { WriteLedger } from "../load/write-ledger.ts";
import { k6SummaryFigures, type LoadFigures } from "./lib/k6-summary.ts";
import { BenchRecorder } from "./lib/results.ts";
import { startStandIn } from "./lib/stand-in-server.ts";
import { describeStats, pairedRatios, ratio, stats } from "./lib/stats.ts";

const repetitions = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 10);
const rate = Number(process.argv[4] ?? 4_000);
const maxVUs = Number(process.argv[5] ?? 400);
const recorder = new BenchRecorder("k6-throughput", `npx tsx bench/k6-throughput.ts ${process.argv.slice(2).join(" ")}`.trim());
await ensureEnvironment({ k6: true }, createLogger("bench"));
const dir = await mkdtemp(join(tmpdir(), "havoc-bench-k6-"));
const server = await startStandIn();

// trackr's device fleet exactly as a run bundles it and sets its environment.
const launch = await deviceFleetLaunch({ targetUrl: server.url, ratePerSecond: rate, durationMs: seconds * 1000, devices: 50, keySecretValue: "bench", requestTimeoutMs: 2_000, maxVUs, traffic: "bench", runId: "bench", outDir: dir });
const env = launch.env;

type Run = LoadFigures & { k6CpuS: number; havocCpuS: number };
const summaryFigures = (path: string) => k6SummaryFigures(path, seconds);

/** Follows `pid` (k6) from now until exit, with this process's own CPU over the same time. */
function costOf(pid: number | undefined) {
  const meter = new HarnessCostMeter();
  if (pid !== undefined) meter.track(pid, "k6", true);
  const sampler = setInterval(() => meter.sample(), 1_000);
  return {
    exited: () => {
      if (pid !== undefined) meter.exited(pid);
    },
    stop: () => {
      clearInterval(sampler);
      const cost = meter.stop();
      return { k6CpuS: cost.k6CpuS, havocCpuS: cost.havocCpuS };
    },
  };
}

async function bare(i: number): Promise<Run> {
  const summaryPath = join(dir, `bare-${i}-summary.json`);
  const child = spawn(k6Path(), ["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", "--address=", `--summary-export=${summaryPath}`, launch.scriptPath], {
    // The environment startK6 gives k6 (load/k6-process.ts), so the only difference is who reads the output.
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", K6_NO_USAGE_REPORT: "true", K6_AUTO_EXTENSION_RESOLUTION: "false", ...env },
    stdio: ["ignore", "ignore", "ignore"],
  });
  const cost = costOf(child.pid);
  await new Promise((resolve) => child.on("exit", resolve));
  cost.exited();
  return { ...(await summaryFigures(summaryPath)), ...cost.stop() };
}

async function harness(i: number): Promise<Run & { ops: number }> {
  const started = Date.now();
  const timeline = new TimelineBuilder(started, () => undefined);
  const ledger = new WriteLedger(join(dir, `ledger-${i}.ndjson`), started);
  let ops = 0;
  const ticker = setInterval(() => timeline.advance(Date.now()), 1_000);
  const handle = startK6({
    k6Path: k6Path(),
    scriptPath: launch.scriptPath,
    runDir: dir,
    traffic: `harness-${i}`,
    env,
    durationMs: seconds * 1000,
    gracefulStopMs: launch.gracefulStopMs,
    onOp: (op) => {
      ops++;
      timeline.add(op);
      ledger.add(op);
    },
    onLog: () => undefined,
    logger: createLogger("bench", () => undefined),
  });
  const cost = costOf(handle.pid);
  const result = await handle.done;
  cost.exited();
  clearInterval(ticker);
  timeline.finish();
  await ledger.close();
  return { ...(await summaryFigures(result.summaryPath)), ...cost.stop(), ops };
}

try {
  console.log(`device-fleet at ${rate}/s for ${seconds} s (maxVUs ${maxVUs}) against a local stand-in server on ${server.url}; ${repetitions} runs per side, alternating`);
  const runs = { bare: [] as Run[], harness: [] as Run[] };
  for (let i = 0; i < repetitions; i++) {
    const order = i % 2 === 0 ? (["bare", "harness"] as const) : (["harness", "bare"] as const);
    for (const side of order) {
      const r = side === "bare" ? await bare(i) : await harness(i);
      runs[side].push(r);
      console.log(`${side.padEnd(8)} ${r.reqPerS.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.dropped} dropped iterations, k6 ${r.k6CpuS.toFixed(2)} s CPU, this process ${r.havocCpuS.toFixed(2)} s CPU${"ops" in r ? `, ${r.ops} op lines parsed` : ""}`);
    }
  }
  const rows = [
    { key: "reqPerS", id: "harness.k6.rate", figure: "device-fleet request rate through the harness (startK6 + timeline + ledger)", unit: "req/s" },
    { key: "p50Ms", id: "harness.k6.p50", figure: "device-fleet request latency p50 through the harness", unit: "ms" },
    { key: "p99Ms", id: "harness.k6.p99", figure: "device-fleet request latency p99 through the harness", unit: "ms" },
    { key: "dropped", id: "harness.k6.dropped", figure: "device-fleet dropped iterations through the harness", unit: "iterations" },
    { key: "k6CpuS", id: "harness.k6.cpu", figure: "k6's CPU per run through the harness", unit: "s" },
    { key: "havocCpuS", id: "harness.reader.cpu", figure: "the harness process's CPU per run (bare: the bench idling)", unit: "s" },
  ] as const;
  for (const row of rows) {
    const digits = row.unit === "ms" || row.unit === "s" ? 2 : 0;
    const h = stats(runs.harness.map((r) => r[row.key]), digits);
    const b = stats(runs.bare.map((r) => r[row.key]), digits);
    console.log(`${row.figure}: ${describeStats(h, row.unit)} vs bare k6 ${describeStats(b, row.unit)}: ratio ${ratio(h.p50, b.p50)}`);
    recorder.add({ id: row.id, figure: row.figure, unit: row.unit, havoc: h, baseline: { what: "bare `k6 run`, same script and target, output discarded", stats: b }, ratio: ratio(h.p50, b.p50), pairedRatio: pairedRatios(runs.harness.map((r) => r[row.key] || 1e-9), runs.bare.map((r) => r[row.key] || 1e-9)) });
  }
  recorder.notes.push(`arrival rate ${rate}/s asked (above capacity), ${seconds} s per run, maxVUs ${maxVUs}; the stand-in answers 201 at once`);
  recorder.write();
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
