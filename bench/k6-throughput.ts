/**
 * Request rate through the harness vs bare `k6 run`, same script (load/k6/device-fleet.ts), same target: a minimal
 * Node stand-in for trackr's POST /api/readings (201 at once) on 127.0.0.1, in its own process. The arrival rate is
 * set above what this machine can drive, so both runs are CPU-bound and the achieved http_reqs/s is the capacity.
 * - bare: `k6 run` with k6's own output discarded (> /dev/null), as a person would run it;
 * - harness: startK6 (op lines parsed by Node) feeding TimelineBuilder and WriteLedger, as `havoc run` does.
 * One run each (order: bare first), k6 counts from --summary-export.
 *
 *   npx tsx bench/k6-throughput.ts [rate=4000] [seconds=15] [maxVUs=400]
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../core/log.ts";
import { k6Path } from "../env/bootstrap/go-tools.ts";
import { deviceFleetEnv, deviceFleetScriptPath, gracefulStopMsFor, startK6 } from "../load/k6-process.ts";
import { TimelineBuilder } from "../load/timeline.ts";
import { WriteLedger } from "../load/write-ledger.ts";

const rate = Number(process.argv[2] ?? 4_000);
const seconds = Number(process.argv[3] ?? 15);
const maxVUs = Number(process.argv[4] ?? 400);
const dir = await mkdtemp(join(tmpdir(), "havoc-bench-k6-"));

const serverCode = `
const http = require("node:http");
const s = http.createServer((req, res) => { req.resume(); req.on("end", () => { res.writeHead(201, { "X-Served-By": "bench", "Content-Type": "application/json", "Content-Length": 2 }); res.end("{}"); }); });
s.keepAliveTimeout = 65000;
s.listen(0, "127.0.0.1", () => console.log(s.address().port));`;
const server = spawn(process.execPath, ["-e", serverCode], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((resolve) => server.stdout.once("data", (d: Buffer) => resolve(Number(d.toString().trim()))));

const env = deviceFleetEnv({
  targetUrl: `http://127.0.0.1:${port}`,
  ratePerSecond: rate,
  durationMs: seconds * 1000,
  devices: 50,
  deviceKeySecret: "bench",
  requestTimeoutMs: 2_000,
  maxVUs,
  traffic: "bench",
  runId: "bench",
});

async function countsOf(summaryPath: string): Promise<{ httpReqs: number; dropped: number }> {
  const metrics = JSON.parse(await readFile(summaryPath, "utf8")).metrics as Record<string, { count?: number }>;
  return { httpReqs: metrics.http_reqs?.count ?? 0, dropped: metrics.dropped_iterations?.count ?? 0 };
}

async function bare(): Promise<{ httpReqs: number; dropped: number; wallS: number }> {
  const summaryPath = join(dir, "bare-summary.json");
  const started = Date.now();
  const child = spawn(k6Path(), ["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", "--address=", `--summary-export=${summaryPath}`, deviceFleetScriptPath], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", K6_NO_USAGE_REPORT: "true", ...env },
    stdio: ["ignore", "ignore", "ignore"],
  });
  await new Promise((resolve) => child.on("exit", resolve));
  return { ...(await countsOf(summaryPath)), wallS: (Date.now() - started) / 1000 };
}

async function harness(): Promise<{ httpReqs: number; dropped: number; wallS: number; ops: number; peakRssMb: number }> {
  const started = Date.now();
  const timeline = new TimelineBuilder(started, () => undefined);
  const ledger = new WriteLedger(join(dir, "ledger.ndjson"), started);
  let ops = 0;
  let peakRss = 0;
  const ticker = setInterval(() => {
    timeline.advance(Date.now());
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 1_000);
  const handle = startK6({
    k6Path: k6Path(),
    scriptPath: deviceFleetScriptPath,
    runDir: dir,
    traffic: "harness",
    env,
    durationMs: seconds * 1000,
    gracefulStopMs: gracefulStopMsFor(2_000),
    onOp: (op) => {
      ops++;
      timeline.add(op);
      ledger.add(op);
    },
    onLog: () => undefined,
    logger: createLogger("bench"),
  });
  const result = await handle.done;
  clearInterval(ticker);
  timeline.finish();
  await ledger.close();
  return { httpReqs: result.httpReqs ?? 0, dropped: result.droppedIterations ?? 0, wallS: (Date.now() - started) / 1000, ops, peakRssMb: peakRss / 1024 / 1024 };
}

try {
  console.log(`device-fleet at ${rate}/s for ${seconds} s (maxVUs ${maxVUs}) against a local stand-in server on :${port}`);
  const b = await bare();
  console.log(`bare k6:  ${b.httpReqs} requests = ${(b.httpReqs / seconds).toFixed(0)}/s, ${b.dropped} dropped iterations`);
  const h = await harness();
  console.log(`harness:  ${h.httpReqs} requests = ${(h.httpReqs / seconds).toFixed(0)}/s, ${h.dropped} dropped iterations, ${h.ops} op lines parsed, peak RSS ${h.peakRssMb.toFixed(0)} MB`);
  console.log(`ratio harness/bare: ${(h.httpReqs / b.httpReqs).toFixed(3)}`);
} finally {
  server.kill();
  await rm(dir, { recursive: true, force: true });
}
