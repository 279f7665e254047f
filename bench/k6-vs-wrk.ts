/**
 * Where the load generator's own limit lies: bare `k6 run` of the device-fleet script (open model, arrival rate above
 * capacity, as havoc drives it) against Debian's wrk (closed loop, 2 threads) on the same endpoint: the stand-in
 * POST /api/readings on 127.0.0.1 (bench/lib/stand-in-server.ts), same body size, same duration, sides alternating.
 * When wrk gets far more requests through the same endpoint on the same cores, the endpoint is not what limits k6.
 *
 *   npx tsx bench/k6-vs-wrk.ts [repetitions=5] [seconds=10] [wrkConnections=100]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../core/log.ts";
import { ensureEnvironment } from "../env/bootstrap/ensure-environment.ts";
import { k6Path } from "../env/bootstrap/go-tools.ts";
import { deviceFleetLaunch } from "../test/support/device-fleet-k6.ts";
import { k6SummaryFigures } from "./lib/k6-summary.ts";
import { BenchRecorder } from "./lib/results.ts";
import { spawnOk } from "./lib/spawn.ts";
import { startStandIn } from "./lib/stand-in-server.ts";
import { describeStats, pairedRatios, ratio, stats } from "./lib/stats.ts";
import { ensureWrk, parseWrk } from "./lib/wrk.ts";

const repetitions = Number(process.argv[2] ?? 5);
const seconds = Number(process.argv[3] ?? 10);
const connections = Number(process.argv[4] ?? 100);
const rate = 4_000;
const maxVUs = 400;
const log = createLogger("bench");
const recorder = new BenchRecorder("k6-vs-wrk", `npx tsx bench/k6-vs-wrk.ts ${process.argv.slice(2).join(" ")}`.trim());
await ensureEnvironment({ k6: true }, log);
const wrk = await ensureWrk(log);
const dir = await mkdtemp(join(tmpdir(), "havoc-bench-wrk-"));
const server = await startStandIn();

// A body like a device's reading (device-fleet's JSON), so both send about the same bytes per request.
const body = JSON.stringify({ reading_id: "00000000-0000-4000-8000-000000000000", device_id: 1, project_id: 1, value: 21.5, recorded_at: new Date().toISOString() });
const luaPath = join(dir, "post.lua");
await writeFile(luaPath, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(body)}\nwrk.headers["Content-Type"] = "application/json"\n`);

async function k6(i: number) {
  const summaryPath = join(dir, `k6-${i}-summary.json`);
  const launch = await deviceFleetLaunch({ targetUrl: server.url, ratePerSecond: rate, durationMs: seconds * 1000, devices: 50, keySecretValue: "bench", requestTimeoutMs: 2_000, maxVUs, traffic: "bench", runId: "bench", outDir: tmpdir() });
  const env = launch.env;
  const child = spawn(k6Path(), ["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", "--address=", `--summary-export=${summaryPath}`, launch.scriptPath], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", K6_NO_USAGE_REPORT: "true", K6_AUTO_EXTENSION_RESOLUTION: "false", ...env },
    stdio: ["ignore", "ignore", "ignore"],
  });
  await new Promise((resolve) => child.on("exit", resolve));
  const { reqPerS, p50Ms, p99Ms } = await k6SummaryFigures(summaryPath, seconds);
  return { reqPerS, p50Ms, p99Ms };
}

async function runWrk() {
  const out = await spawnOk(wrk, ["-t2", `-c${connections}`, `-d${seconds}s`, "--latency", "-s", luaPath, `${server.url}/api/readings`], { timeoutMs: (seconds + 30) * 1000 });
  const parsed = parseWrk(out);
  if (parsed.non2xx > 0 || parsed.errors) log.warn(`wrk: ${parsed.non2xx} non-2xx, ${parsed.errors}`);
  return parsed;
}

try {
  console.log(`k6 (device-fleet, ${rate}/s asked, maxVUs ${maxVUs}) vs wrk (2 threads, ${connections} connections) on ${server.url}/api/readings, ${seconds} s each, ${repetitions} runs per side`);
  const runs = { k6: [] as { reqPerS: number; p50Ms: number; p99Ms: number }[], wrk: [] as { reqPerS: number; p50Ms: number; p99Ms: number }[] };
  for (let i = 0; i < repetitions; i++) {
    for (const side of i % 2 === 0 ? (["k6", "wrk"] as const) : (["wrk", "k6"] as const)) {
      const r = side === "k6" ? await k6(i) : await runWrk();
      runs[side].push(r);
      console.log(`${side.padEnd(4)} ${r.reqPerS.toFixed(0)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms`);
    }
  }
  for (const [key, unit, figure] of [
    ["reqPerS", "req/s", "bare k6 request rate (device-fleet, open model over capacity)"],
    ["p50Ms", "ms", "bare k6 request latency p50"],
    ["p99Ms", "ms", "bare k6 request latency p99"],
  ] as const) {
    const k = stats(runs.k6.map((r) => r[key]), unit === "ms" ? 2 : 0);
    const w = stats(runs.wrk.map((r) => r[key]), unit === "ms" ? 2 : 0);
    console.log(`${figure}: ${describeStats(k, unit)} vs wrk ${describeStats(w, unit)}: ratio ${ratio(k.p50, w.p50)}`);
    recorder.add({ id: `loadgen.k6-vs-wrk.${key}`, figure, unit, havoc: k, baseline: { what: `Debian's wrk -t2 -c${connections}, same endpoint and body`, stats: w }, ratio: ratio(k.p50, w.p50), pairedRatio: pairedRatios(runs.k6.map((r) => r[key]), runs.wrk.map((r) => r[key])) });
  }
  recorder.notes.push("the 'havoc' column is bare k6 here (the load generator havoc drives), compared with wrk; wrk is closed-loop, k6 open-model above capacity");
  recorder.write();
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
