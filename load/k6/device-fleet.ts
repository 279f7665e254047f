/**
 * Device fleet for the "trackr" IoT service: every iteration is one device posting one reading.
 * Run by k6 itself (k6 v1 runs TypeScript), so it imports only k6 modules. The Node side
 * (load/k6-process.ts) sets the HAVOC_* environment and parses the op lines this script prints.
 *
 * Output contract: exactly one `console.log` line per HTTP attempt, JSON with `"havoc":"op"`
 * (OpRecord of core/history.ts minus `traffic`, which the runner adds). Run k6 with
 * `--log-format=raw` so the line is printed verbatim.
 */
import { hmac } from "k6/crypto";
import exec from "k6/execution";
import http from "k6/http";
import type { Options } from "k6/options";

// @types/k6 does not declare console (it lives in lib.dom / @types/node, neither of which applies to k6).
declare const console: { log(...values: unknown[]): void };

type Outcome = "ok" | "fail" | "unknown";
interface OpLine {
  havoc: "op";
  op: "write";
  id: string;
  startEpochMs: number;
  durationMs: number;
  outcome: Outcome;
  cause: string;
  node?: string;
}

/** Reads an integer env var and fails the init context (k6 exits non-zero) when it is missing or out of range. */
function envInt(name: string, min: number, max: number): number {
  const text = __ENV[name];
  const value = Number(text);
  if (text === undefined || text === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return value;
}

function envText(name: string): string {
  const text = __ENV[name];
  if (text === undefined || text === "") throw new Error(`${name} must be set`);
  return text;
}

// Bounds mirror core/traffic-spec.ts; they are re-checked here because this script can be run by hand.
const targetUrl = envText("HAVOC_TARGET_URL").replace(/\/+$/, "");
const ratePerSecond = envInt("HAVOC_RATE", 1, 10_000);
const durationMs = envInt("HAVOC_DURATION_MS", 1_000, 24 * 3_600_000);
const deviceCount = envInt("HAVOC_DEVICES", 1, 100_000);
const deviceKeySecret = envText("HAVOC_DEVICE_KEY_SECRET");
const timeoutMs = envInt("HAVOC_TIMEOUT_MS", 1, 120_000);
const maxVUs = envInt("HAVOC_MAX_VUS", 1, 5_000);
const trafficName = envText("HAVOC_TRAFFIC");
const runId = envText("HAVOC_RUN_ID");

// Traffic rule: load goes only to loopback (ports published by the project's own containers).
if (!/^http:\/\/(127\.0\.0\.1|\[::1\])(:\d+)?$/.test(targetUrl)) {
  throw new Error(`HAVOC_TARGET_URL must be http://127.0.0.1:<port> or http://[::1]:<port>, got ${targetUrl}`);
}

export const options: Options = {
  scenarios: {
    devices: {
      executor: "constant-arrival-rate",
      rate: ratePerSecond,
      timeUnit: "1s",
      duration: `${durationMs}ms`,
      // Pre-allocating 2 s worth of VUs covers latency spikes without allocating mid-test (which drops iterations).
      preAllocatedVUs: Math.min(maxVUs, ratePerSecond * 2),
      maxVUs,
      // In-flight requests end by their own timeout, so every started request still prints its op line.
      gracefulStop: `${timeoutMs + 1_000}ms`,
    },
  },
  // Response bodies are never read; discarding them saves k6 CPU at high rates.
  discardResponseBodies: true,
  // No thresholds: SLOs are judged by havoc from the op lines, not by k6.
  summaryTrendStats: ["avg", "p(50)", "p(99)", "max"],
};

/** API key of a device: first 32 hex chars of HMAC-SHA256(secret, device_id), as the trackr firmware does. */
const keyByDevice = new Map<string, string>();
function apiKeyOf(deviceId: string): string {
  let key = keyByDevice.get(deviceId);
  if (key === undefined) {
    key = hmac("sha256", deviceKeySecret, deviceId, "hex").slice(0, 32);
    keyByDevice.set(deviceId, key);
  }
  return key;
}

// k6 error codes (https://grafana.com/docs/k6/latest/javascript-api/error-codes/, lib/netext/httpext/error_codes.go).
const REQUEST_TIMEOUT = 1050;
const TCP_BROKEN_PIPE = 1201;
const TCP_DIAL_REFUSED = 1212;
const TCP_RESET_BY_PEER = 1220;
const GENERIC_ERROR = 1000;

/**
 * Maps a response to an outcome. Only a definite answer is "fail": a refused connection never reached the app,
 * a 4xx/5xx from the app itself was rejected. Anything where the request may have been processed is "unknown".
 */
function classify(status: number, errorCode: number, error: string): { outcome: Outcome; cause: string } {
  if (status === 201) return { outcome: "ok", cause: "http_201" };
  // 502/504 come from a proxy in front of the app: the app may have committed before dying or stalling.
  if (status === 502 || status === 504) return { outcome: "unknown", cause: `http_${status}` };
  if (status !== 0) return { outcome: "fail", cause: `http_${status}` };
  if (errorCode === REQUEST_TIMEOUT) return { outcome: "unknown", cause: "timeout" };
  if (errorCode === TCP_DIAL_REFUSED) return { outcome: "fail", cause: "refused" };
  // A connection dropped mid-request (RST, broken pipe, or a bare EOF from Go when the peer closed) may have
  // reached the app before it died.
  if (errorCode === TCP_RESET_BY_PEER || errorCode === TCP_BROKEN_PIPE || (errorCode === GENERIC_ERROR && /EOF/.test(error))) {
    return { outcome: "unknown", cause: "reset" };
  }
  return { outcome: "unknown", cause: `error_${errorCode}` };
}

// Every status is "expected" for k6: outcome accounting is ours, and this keeps k6's http_req_failed quiet.
const everyStatusExpected = http.expectedStatuses({ min: 100, max: 599 });

/**
 * One HTTP attempt, one op line. A retry (issue 4) calls this again with the same reading, so it becomes a
 * separate op line with the same id: the write ledger then counts the id as acknowledged if any attempt was.
 */
function postReading(deviceId: string, body: string, readingId: string): OpLine {
  const startEpochMs = Date.now();
  const response = http.post(`${targetUrl}/api/readings`, body, {
    headers: { "Content-Type": "application/json", "X-API-Key": apiKeyOf(deviceId) },
    timeout: timeoutMs,
    tags: { name: "POST /api/readings" },
    responseCallback: everyStatusExpected,
  });
  const durationMs = Date.now() - startEpochMs;
  const { outcome, cause } = classify(response.status, response.error_code, response.error);
  const line: OpLine = { havoc: "op", op: "write", id: readingId, startEpochMs, durationMs, outcome, cause };
  const node = response.headers["X-Served-By"];
  if (node) line.node = node;
  return line;
}

export default function (): void {
  // iterationInTest is unique across the whole run, also when the test is split over processes with execution
  // segments (k6 maps each segment's local iterations to disjoint global indexes), so the id is unique run-wide.
  const iteration = exec.scenario.iterationInTest;
  const deviceId = `dev-${(iteration % deviceCount) + 1}`;
  const readingId = `${runId}-${trafficName}-${iteration}`;
  const body = JSON.stringify({
    device_id: deviceId,
    reading_id: readingId,
    value: Math.round(Math.random() * 10_000) / 100,
    recorded_at: Date.now(),
  });
  const maxAttempts = 1; // retries are issue-4 work; the loop is here so each attempt stays its own op line
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const op = postReading(deviceId, body, readingId);
    console.log(JSON.stringify(op));
    if (op.outcome === "ok" || op.outcome === "fail") break;
  }
}

/** Replaces k6's text summary on stdout; `--summary-export` still writes the JSON file (k6 adds it to this map). */
export function handleSummary(): Record<string, string> {
  return {};
}
