/**
 * Device fleet for the "trackr" IoT service: every iteration is one device posting one reading, with firmware
 * retries (exponential backoff + jitter) when configured. A `script: "k6"` class like any user's (deviceFleet() in
 * ../traffic.ts sets its env); havoc bundles it with esbuild, so it imports `havoc/k6` and prints one op line per
 * HTTP attempt.
 */
import exec from "k6/execution";
import http from "k6/http";
import type { Options } from "k6/options";
import { sleep } from "k6";
import { durationMs, envInt, everyStatusExpected, gracefulStopMs, keySecret, opLine, printOp, requestTimeoutMs, runId, segmentOptions, targetUrl, trafficName, type OpLine } from "havoc/k6";
import { deviceKeys } from "./device-keys.ts";

// Bounds mirror deviceFleet()'s; they are re-checked here because this script can be run by hand.
const target = targetUrl();
const ratePerSecond = envInt("RATE_PER_SECOND", 1, 10_000);
const deviceCount = envInt("DEVICES", 1, 100_000);
const apiKeyOf = deviceKeys(keySecret());
const timeoutMs = requestTimeoutMs();
const maxVUs = envInt("MAX_VUS", 1, 5_000);
const traffic = trafficName();
const run = runId();
// Firmware retries; unset = one attempt per reading.
const maxAttempts = envInt("RETRY_ATTEMPTS", 1, 10, 1);
const retryBaseMs = envInt("RETRY_BASE_MS", 0, 60_000, 200);
const retryMaxMs = envInt("RETRY_MAX_MS", 0, 60_000, 2_000);
const retryBudgetMs = envInt("RETRY_BUDGET_MS", 0, 600_000, 10_000);

export const options: Options = {
  ...segmentOptions(),
  scenarios: {
    devices: {
      executor: "constant-arrival-rate",
      rate: ratePerSecond,
      timeUnit: "1s",
      duration: `${durationMs()}ms`,
      // Enough VUs pre-allocated for a full stall (every request waiting out its timeout, plus a second of new ones):
      // allocating mid-test drops iterations. Measured: 2 s worth at a 2 s timeout dropped one in a 5 s database stall.
      preAllocatedVUs: Math.min(maxVUs, Math.ceil(ratePerSecond * (timeoutMs / 1_000 + 1))),
      maxVUs,
      // In-flight requests (and retries) end by their own timeout/budget, so every started request prints its op line
      // (deviceFleet() sets the class's gracefulStop to the timeout plus the retry budget).
      gracefulStop: `${gracefulStopMs()}ms`,
    },
  },
  // Response bodies are never read; discarding them saves k6 CPU at high rates.
  discardResponseBodies: true,
  // No thresholds: SLOs are judged by havoc from the op lines, not by k6.
  summaryTrendStats: ["avg", "p(50)", "p(99)", "max"],
};

/**
 * One HTTP attempt, one op line. A retry calls this again with the same reading, so it becomes a separate op line
 * with the same id: the write ledger counts the id as acknowledged if any attempt was.
 */
function postReading(deviceId: string, body: string, readingId: string): OpLine {
  const startEpochMs = Date.now();
  const response = http.post(`${target}/api/readings`, body, {
    headers: { "Content-Type": "application/json", "X-API-Key": apiKeyOf(deviceId) },
    timeout: timeoutMs,
    tags: { name: "POST /api/readings" },
    responseCallback: everyStatusExpected,
  });
  return opLine("write", 201, startEpochMs, response, readingId);
}

/** What firmware retries: anything that may not have arrived (unknown) and "try again later" (503). */
function shouldRetry(op: OpLine): boolean {
  return op.outcome === "unknown" || op.cause === "http_503";
}

/** Exponential backoff with "equal jitter": half the capped delay fixed, half random, so devices spread out. */
function backoffMs(attempt: number): number {
  const capped = Math.min(retryMaxMs, retryBaseMs * 2 ** (attempt - 1));
  return capped / 2 + Math.random() * (capped / 2);
}

export default function (): void {
  // iterationInTest is unique across the whole run, also when the test is split over processes with execution
  // segments (k6 maps each segment's local iterations to disjoint global indexes), so the id is unique run-wide.
  const iteration = exec.scenario.iterationInTest;
  const deviceId = `dev-${(iteration % deviceCount) + 1}`;
  const readingId = `${run}-${traffic}-${iteration}`;
  const body = JSON.stringify({
    device_id: deviceId,
    reading_id: readingId,
    value: Math.round(Math.random() * 10_000) / 100,
    recorded_at: Date.now(),
  });
  const firstStartMs = Date.now();
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const op = postReading(deviceId, body, readingId);
    printOp(op);
    if (!shouldRetry(op) || attempt === maxAttempts) break;
    const delayMs = backoffMs(attempt);
    if (Date.now() + delayMs - firstStartMs > retryBudgetMs) break;
    sleep(delayMs / 1000);
  }
}

/** Replaces k6's text summary on stdout; `--summary-export` still writes the JSON file (k6 adds it to this map). */
export function handleSummary(): Record<string, string> {
  return {};
}
