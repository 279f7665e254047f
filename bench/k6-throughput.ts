/**
 * Harness overhead: request rate and latency of the same k6 script (load/k6/device-fleet.ts) through the harness
 * against bare `k6 run`, same target: a minimal Node stand-in for trackr's POST /api/readings (201 at once) on
 * 127.0.0.1, in its own process (bench/lib/stand-in-server.ts). The arrival rate is set above what this machine can
 * drive, so both runs are CPU-bound and the achieved http_reqs/s is the capacity.
 * - bare: `k6 run` with k6's own output discarded (> /dev/null), as a person would run it;
 * - harness: startK6 (op lines parsed by Node) feeding TimelineBuilder and WriteLedger, as `havoc run` does.
 * `repetitions` runs per side, alternating which goes first; counts and latency from k6's --summary-export.
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

type Run = LoadFigures;
const summaryFigures = (path: string) => k6SummaryFigures(path, seconds);

async function bare(i: number): Promise<Run> {
  const summaryPath = join(dir, `bare-${i}-summary.json`);
  const child = spawn(k6Path(), ["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", "--address=", `--summary-export=${summaryPath}`, launch.scriptPath], {
    // The environment startK6 gives k6 (load/k6-process.ts), so the only difference is who reads the output.
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", K6_NO_USAGE_REPORT: "true", K6_AUTO_EXTENSION_RESOLUTION: "false", ...env },
    stdio: ["ignore", "ignore", "ignore"],
  });
  await new Promise((resolve) => child.on("exit", resolve));
  return summaryFigures(summaryPath);
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
  const result = await handle.done;
  clearInterval(ticker);
  timeline.finish();
  await ledger.close();
  return { ...(await summaryFigures(result.summaryPath)), ops };
}

try {
  console.log(`device-fleet at ${rate}/s for ${seconds} s (maxVUs ${maxVUs}) against a local stand-in server on ${server.url}; ${repetitions} runs per side, alternating`);
  const runs = { bare: [] as Run[], harness: [] as Run[] };
  for (let i = 0; i < repetitions; i++) {
    const order = i % 2 === 0 ? (["bare", "harness"] as const) : (["harness", "bare"] as const);
    for (const side of order) {
      const r = side === "bare" ? await bare(i) : await harness(i);
      runs[side].push(r);
      console.log(`${side.padEnd(8)} ${r.reqPerS.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.dropped} dropped iterations${"ops" in r ? `, ${r.ops} op lines parsed` : ""}`);
    }
  }
  const rows = [
    { key: "reqPerS", id: "harness.k6.rate", figure: "device-fleet request rate through the harness (startK6 + timeline + ledger)", unit: "req/s" },
    { key: "p50Ms", id: "harness.k6.p50", figure: "device-fleet request latency p50 through the harness", unit: "ms" },
    { key: "p99Ms", id: "harness.k6.p99", figure: "device-fleet request latency p99 through the harness", unit: "ms" },
  ] as const;
  for (const row of rows) {
    const h = stats(runs.harness.map((r) => r[row.key]), row.unit === "ms" ? 2 : 0);
    const b = stats(runs.bare.map((r) => r[row.key]), row.unit === "ms" ? 2 : 0);
    console.log(`${row.figure}: ${describeStats(h, row.unit)} vs bare k6 ${describeStats(b, row.unit)}: ratio ${ratio(h.p50, b.p50)}`);
    recorder.add({ id: row.id, figure: row.figure, unit: row.unit, havoc: h, baseline: { what: "bare `k6 run`, same script and target, output discarded", stats: b }, ratio: ratio(h.p50, b.p50), pairedRatio: pairedRatios(runs.harness.map((r) => r[row.key]), runs.bare.map((r) => r[row.key])) });
  }
  recorder.notes.push(`arrival rate ${rate}/s asked (above capacity), ${seconds} s per run, maxVUs ${maxVUs}; the stand-in answers 201 at once`);
  recorder.write();
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
