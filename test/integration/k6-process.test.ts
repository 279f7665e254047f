/**
 * Real k6 against a tiny Node stand-in for trackr's POST /api/readings on 127.0.0.1. The server answers 201, or
 * 503 / hangs / resets the connection inside fixed windows (ms from traffic start), so each classification path
 * of trackr's device fleet (systems/trackr/k6/device-fleet.ts) is exercised and lands in the right seconds of the timeline.
 */
import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpRecord, TimelineBucket } from "../../core/history.ts";
import { createLogger } from "../../core/log.ts";
import { k6Path } from "../../env/bootstrap/go-tools.ts";
import { freePorts } from "../../env/free-port.ts";
import { startK6, type K6Result } from "../../load/k6-process.ts";
import { k6Launches, K6Class } from "../../load/traffic/k6.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";
import { deviceFleetLaunch, type DeviceFleetParams } from "../support/device-fleet-k6.ts";
import { TimelineBuilder } from "../../load/timeline.ts";

const k6 = k6Path();
const k6Missing = !existsSync(k6);
if (k6Missing && process.env.HAVOC_REQUIRE_TOOLS) throw new Error(`HAVOC_REQUIRE_TOOLS is set but k6 is missing at ${k6}: run \`havoc setup\``);
if (k6Missing) console.warn(`SKIPPED k6-process integration tests: no k6 at ${k6} (run \`havoc setup\`; CI sets HAVOC_REQUIRE_TOOLS)`);

const secret = "integration-secret";

/** One k6 process of trackr's device fleet, bundled with its env as a run would (the traffic name is the label). */
async function fleetProcess(p: DeviceFleetParams) {
  const launch = await deviceFleetLaunch(p);
  return { scriptPath: launch.scriptPath, env: launch.env, gracefulStopMs: launch.gracefulStopMs };
}
const rate = 50;
const durationMs = 8_000;
const timeoutMs = 1_000;
/** Server behaviour windows, ms from traffic start (k6 needs ~0.5 s to start, so all fall inside the run). */
const windows = { http503: [2_000, 3_000], hang: [4_000, 5_000], reset: [6_000, 6_500] } as const;
/** Op start (k6 clock) precedes server receipt by a few ms; ops this close to a window edge may go either way. */
const edgeMs = 100;

type Mode = "ok" | "http503" | "hang" | "reset";

/** The stand-in app: checks the API key like trackr, stores acknowledged reading ids. */
function startFakeTrackr(modeAt: (nowMs: number) => Mode) {
  const stored = new Set<string>();
  const rejectedKeys: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/api/readings") return void res.writeHead(404).end();
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { device_id: string; reading_id: string };
      const expectedKey = createHmac("sha256", secret).update(body.device_id).digest("hex").slice(0, 32);
      if (req.headers["x-api-key"] !== expectedKey) {
        rejectedKeys.push(body.device_id);
        return void res.writeHead(401).end();
      }
      const mode = modeAt(Date.now());
      if (mode === "hang") return; // never answers: the client times out
      if (mode === "reset") return void req.socket.resetAndDestroy();
      if (mode === "http503") return void res.writeHead(503).end();
      stored.add(body.reading_id);
      res.writeHead(201, { "X-Served-By": "app-test", "Content-Type": "application/json" }).end('{"ok":true}');
    });
  });
  return { server, stored, rejectedKeys };
}

describe.skipIf(k6Missing)("startK6 with load/k6/device-fleet.ts", () => {
  let runDir: string;
  let fake: ReturnType<typeof startFakeTrackr>;
  let trafficStartEpochMs = 0;
  let targetUrl: string;
  const ops: OpRecord[] = [];
  const buckets: TimelineBucket[] = [];
  const logLines: string[] = [];
  let result: K6Result;

  const inWindow = (atMs: number, [from, to]: readonly [number, number], margin = 0) => atMs >= from + margin && atMs < to - margin;

  beforeAll(async () => {
    runDir = await mkdtemp(join(tmpdir(), "havoc-k6-"));
    fake = startFakeTrackr((nowMs) => {
      const atMs = nowMs - trafficStartEpochMs;
      if (inWindow(atMs, windows.http503)) return "http503";
      if (inWindow(atMs, windows.hang)) return "hang";
      if (inWindow(atMs, windows.reset)) return "reset";
      return "ok";
    });
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    targetUrl = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;

    // Bundled before the clock starts, so the server's windows count from k6's start as they did.
    const fleet = await fleetProcess({ targetUrl, ratePerSecond: rate, durationMs, devices: 20, keySecretValue: secret, requestTimeoutMs: timeoutMs, maxVUs: 200, traffic: "devices", runId: "it", outDir: runDir });
    trafficStartEpochMs = Date.now();
    const timeline = new TimelineBuilder(trafficStartEpochMs, (bucket) => buckets.push(bucket));
    const ticker = setInterval(() => timeline.advance(Date.now()), 1_000);
    const handle = startK6({
      k6Path: k6,
      ...fleet,
      runDir,
      traffic: "devices",
      durationMs,
      onOp: (op) => {
        ops.push(op);
        timeline.add(op);
      },
      onLog: (line) => logLines.push(line),
      logger: createLogger("test", () => undefined),
    });
    result = await handle.done;
    clearInterval(ticker);
    timeline.finish();
  }, 40_000);

  afterAll(async () => {
    fake?.server.closeAllConnections();
    await new Promise((resolve) => fake?.server.close(resolve));
    if (runDir) await rm(runDir, { recursive: true, force: true });
  });

  it("prints exactly one op line per k6 HTTP request", () => {
    expect(result.exitCode, logLines.join("\n")).toBe(0);
    expect(result.badOpLines).toBe(0);
    expect(result.httpReqs).not.toBeNull();
    expect(result.opLines).toBe(result.httpReqs);
    expect(ops).toHaveLength(result.opLines);
    expect(result.iterations).toBe(result.httpReqs); // no retries yet: one request per iteration
    // Open model: about rate * duration iterations, minus any k6 could not start in time.
    expect(result.httpReqs! + result.droppedIterations!).toBeGreaterThanOrEqual(rate * (durationMs / 1000) - 2);
    expect(fake.rejectedKeys).toEqual([]);
    // Timeouts and resets each make k6 warn "Request Failed": counted, not forwarded.
    expect(result.requestFailedLines).toBe(ops.filter((op) => op.cause === "timeout" || op.cause === "reset").length);
    expect(logLines).toEqual([]);
  });

  it("gives every op a unique id and acknowledges exactly what the server stored", () => {
    expect(new Set(ops.map((op) => op.id)).size).toBe(ops.length);
    const acknowledged = ops.filter((op) => op.outcome === "ok");
    expect(acknowledged.every((op) => op.cause === "http_201" && op.node === "app-test")).toBe(true);
    expect(new Set(acknowledged.map((op) => op.id))).toEqual(fake.stored);
  });

  it("classifies 503 as fail, a hang as unknown/timeout, a reset as unknown/reset, at the right times", () => {
    const atMs = (op: OpRecord) => op.startEpochMs - trafficStartEpochMs;
    const byCause = (cause: string) => ops.filter((op) => op.cause === cause);
    expect(new Set(ops.map((op) => op.cause))).toEqual(new Set(["http_201", "http_503", "timeout", "reset"]));

    for (const op of byCause("http_503")) {
      expect(op.outcome).toBe("fail");
      expect(inWindow(atMs(op), [windows.http503[0] - edgeMs, windows.http503[1]])).toBe(true);
    }
    for (const op of byCause("timeout")) {
      expect(op.outcome).toBe("unknown");
      expect(op.durationMs).toBeGreaterThanOrEqual(timeoutMs - 5);
      expect(inWindow(atMs(op), [windows.hang[0] - edgeMs, windows.hang[1]])).toBe(true);
    }
    for (const op of byCause("reset")) {
      expect(op.outcome).toBe("unknown");
      expect(inWindow(atMs(op), [windows.reset[0] - edgeMs, windows.reset[1]])).toBe(true);
    }
    // Away from the edges every op in a window got that window's answer.
    const expectInside = (window: readonly [number, number], cause: string) => {
      const inside = ops.filter((op) => inWindow(atMs(op), window, edgeMs));
      expect(inside.length).toBeGreaterThan(rate * ((window[1] - window[0] - 2 * edgeMs) / 1000) * 0.8);
      expect(inside.every((op) => op.cause === cause)).toBe(true);
    };
    expectInside(windows.http503, "http_503");
    expectInside(windows.hang, "timeout");
    expectInside(windows.reset, "reset");
  });

  it("puts the ops in the right seconds of the timeline", () => {
    const total = (pick: (b: TimelineBucket) => number) => buckets.reduce((sum, b) => sum + pick(b), 0);
    expect(total((b) => b.requests)).toBe(ops.length);
    expect(total((b) => b.causes.http_503 ?? 0)).toBe(ops.filter((op) => op.cause === "http_503").length);
    const secondsWith = (cause: string) => new Set(buckets.filter((b) => (b.causes[cause] ?? 0) > 0).map((b) => b.second));
    // 503s fall in second 2 (plus at most an edge op in second 1); timeouts in second 4; resets in second 6.
    expect([...secondsWith("http_503")].every((s) => s === 1 || s === 2)).toBe(true);
    expect(buckets.find((b) => b.second === 2)?.fail).toBeGreaterThan(rate * 0.8);
    expect([...secondsWith("timeout")].every((s) => s === 3 || s === 4)).toBe(true);
    expect(buckets.find((b) => b.second === 4)?.unknown).toBeGreaterThan(rate * 0.8);
    expect([...secondsWith("reset")].every((s) => s === 5 || s === 6)).toBe(true);
  });
});

describe.skipIf(k6Missing)("startK6 stop()", () => {
  it("stops k6 gracefully on SIGTERM, is idempotent, and still counts every op line", async () => {
    const runDir = await mkdtemp(join(tmpdir(), "havoc-k6-stop-"));
    const server = createServer((_req, res) => res.writeHead(201).end()).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const targetUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    let opLines = 0;
    const handle = startK6({
      k6Path: k6,
      ...(await fleetProcess({ targetUrl, ratePerSecond: 20, durationMs: 60_000, devices: 5, keySecretValue: secret, requestTimeoutMs: 500, maxVUs: 20, traffic: "stoppable", runId: "stop", outDir: runDir })),
      runDir,
      traffic: "stoppable",
      durationMs: 60_000,
      onOp: () => opLines++,
      onLog: () => undefined,
      logger: createLogger("test", () => undefined),
    });
    try {
      const deadline = Date.now() + 10_000;
      while (opLines < 20 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const stopStartedMs = Date.now();
      await Promise.all([handle.stop(), handle.stop()]);
      const result = await handle.done;
      expect(Date.now() - stopStartedMs).toBeLessThan(5_000);
      await handle.stop(); // after exit: a no-op
      expect(result.signal).toBeNull(); // k6 handled SIGTERM itself (no SIGKILL needed)
      expect(result.exitCode).not.toBe(0);
      expect(result.opLines).toBe(opLines);
      expect(result.httpReqs).toBe(result.opLines);
    } finally {
      await handle.stop();
      server.closeAllConnections();
      server.close();
      await rm(runDir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe.skipIf(k6Missing)("startK6 with a throwing onOp", () => {
  it("stops k6 and rejects done with the consumer's error", async () => {
    const runDir = await mkdtemp(join(tmpdir(), "havoc-k6-throw-"));
    const server = createServer((_req, res) => res.writeHead(201).end()).listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    const targetUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const handle = startK6({
      k6Path: k6,
      ...(await fleetProcess({ targetUrl, ratePerSecond: 20, durationMs: 60_000, devices: 5, keySecretValue: secret, requestTimeoutMs: 500, maxVUs: 20, traffic: "throwing", runId: "throw", outDir: runDir })),
      runDir,
      traffic: "throwing",
      durationMs: 60_000,
      onOp: () => {
        throw new Error("consumer bug");
      },
      onLog: () => undefined,
      logger: createLogger("test", () => undefined),
    });
    try {
      await expect(handle.done).rejects.toThrow(/consumer bug/);
    } finally {
      await handle.stop();
      server.closeAllConnections();
      server.close();
      await rm(runDir, { recursive: true, force: true });
    }
  }, 20_000);
});

describe("startK6 without a k6 binary", () => {
  it("rejects done with an EnvironmentError", async () => {
    const handle = startK6({
      k6Path: "/nonexistent/k6",
      scriptPath: "/nonexistent/script.js",
      runDir: tmpdir(),
      traffic: "missing",
      env: {},
      durationMs: 1_000,
      gracefulStopMs: 1_000,
      onOp: () => undefined,
      onLog: () => undefined,
      logger: createLogger("test", () => undefined),
    });
    await expect(handle.done).rejects.toThrow(/cannot start k6/);
    await handle.stop();
  });

  it("refuses a non-loopback target, an out-of-range rate and duration", () => {
    const c = K6Class.parse(deviceFleet({ name: "t", target: { node: "n", port: 1 }, ratePerSecond: 10, duration: "5s", devices: 1 }));
    const ctx = { urls: ["http://10.0.0.1:80"], keySecret: "s", runId: "r", bundledScriptPath: "/x.js" };
    expect(() => k6Launches(c, ctx)).toThrow(/not loopback/);
    expect(() => k6Launches({ ...c, duration: 0 }, { ...ctx, urls: ["http://127.0.0.1:1"] })).toThrow(/duration/);
    expect(() => deviceFleet({ name: "t", target: { node: "n", port: 1 }, ratePerSecond: 20_000, duration: "5s" })).toThrow(/ratePerSecond/);
  });
});

describe.skipIf(k6Missing)("per-second dropped iterations from k6's REST API", () => {
  it("reports drops in the seconds the server hung, summing to k6's own dropped_iterations", async () => {
    const runDir = await mkdtemp(join(tmpdir(), "havoc-k6-dropped-"));
    let startMs = Date.now();
    // Hangs 2.0..4.0 s: with 5 VUs and a 1 s timeout, 5 requests a second can run, so ~45 of 50 a second drop.
    const fake = startFakeTrackr((nowMs) => (nowMs - startMs >= 2_000 && nowMs - startMs < 4_000 ? "hang" : "ok"));
    await new Promise<void>((resolve) => fake.server.listen(0, "127.0.0.1", resolve));
    const target = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    const drops: { atMs: number; count: number }[] = [];
    try {
      const [apiPort] = await freePorts(1);
      const fleet = await fleetProcess({ targetUrl: target, ratePerSecond: 50, durationMs: 7_000, devices: 10, keySecretValue: secret, requestTimeoutMs: 1_000, maxVUs: 5, traffic: "devices", runId: "drop", outDir: runDir });
      startMs = Date.now();
      const handle = startK6({
        k6Path: k6,
        ...fleet,
        runDir,
        traffic: "devices",
        durationMs: 7_000,
        onOp: () => undefined,
        onLog: () => undefined,
        apiPort,
        onDropped: (epochMs, count) => drops.push({ atMs: epochMs - startMs, count }),
        logger: createLogger("test", () => undefined),
      });
      const result = await handle.done;
      const total = drops.reduce((n, d) => n + d.count, 0);
      expect(result.droppedIterations).toBeGreaterThan(30);
      expect(total).toBe(result.droppedIterations);
      // Most drops were seen by the once-a-second poll while k6 ran (before 7 s), not only from the summary at exit.
      const live = drops.filter((d) => d.atMs < 7_000);
      console.info(`dropped ${total}: ${drops.map((d) => `${d.count} at ${d.atMs} ms`).join(", ")}`);
      expect(live.reduce((n, d) => n + d.count, 0)).toBeGreaterThan(total / 2);
      // Attributed to the hang (2..4 s, plus the 1 s timeout and the poll's half-interval), never before it.
      for (const d of live) {
        expect(d.atMs).toBeGreaterThanOrEqual(1_500);
        expect(d.atMs).toBeLessThan(6_500);
      }
    } finally {
      fake.server.closeAllConnections();
      await new Promise((resolve) => fake.server.close(resolve));
      await rm(runDir, { recursive: true, force: true });
    }
  }, 40_000);
});
