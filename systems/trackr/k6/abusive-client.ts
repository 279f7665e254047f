/**
 * One client far over trackr's limits, open model (constant-arrival-rate RATE_PER_SECOND/s):
 * - IDENTITY=api-key: every request posts a reading with the key of one device (`dev-<DEVICE>`), the
 *   per-API-key limit's case (a buggy firmware loop, a leaked key);
 * - IDENTITY=ip: anonymous GET /api/projects/1/readings (no key, no user), the per-IP limit's case (a scraper).
 * Rejections by the rate limiter are op lines with outcome fail and cause http_429.
 */
import exec from "k6/execution";
import http from "k6/http";
import type { Options } from "k6/options";
import { envInt, envText, everyStatusExpected, keySecret, opLine, printOp, segmentOptions } from "havoc/k6";
import * as havoc from "havoc/k6";
import { deviceKeys } from "./device-keys.ts";

const targetUrl = havoc.targetUrl();
const ratePerSecond = envInt("RATE_PER_SECOND", 1, 10_000);
const durationMs = havoc.durationMs();
const timeoutMs = havoc.requestTimeoutMs();
const maxVUs = envInt("MAX_VUS", 1, 5_000);
const device = envInt("DEVICE", 1, 999_999_999, 999_999);
const identity = envText("IDENTITY");
if (identity !== "api-key" && identity !== "ip") throw new Error(`IDENTITY must be "api-key" or "ip", got ${identity}`);
const apiKeyOf = deviceKeys(keySecret());
const trafficName = havoc.trafficName();
const runId = havoc.runId();

export const options: Options = {
  ...segmentOptions(),
  scenarios: {
    abuse: {
      executor: "constant-arrival-rate",
      rate: ratePerSecond,
      timeUnit: "1s",
      duration: `${durationMs}ms`,
      preAllocatedVUs: Math.min(maxVUs, Math.max(1, Math.ceil(ratePerSecond / 10))),
      maxVUs,
      gracefulStop: `${timeoutMs + 1_000}ms`,
    },
  },
  discardResponseBodies: true,
  summaryTrendStats: ["avg", "p(50)", "p(99)", "max"],
};

const deviceId = `dev-${device}`;

export default function (): void {
  const startEpochMs = Date.now();
  if (identity === "api-key") {
    const readingId = `${runId}-${trafficName}-${exec.scenario.iterationInTest}`;
    const body = JSON.stringify({ device_id: deviceId, reading_id: readingId, value: 1, recorded_at: startEpochMs });
    const response = http.post(`${targetUrl}/api/readings`, body, {
      headers: { "Content-Type": "application/json", "X-API-Key": apiKeyOf(deviceId) },
      timeout: timeoutMs,
      tags: { name: "POST /api/readings" },
      responseCallback: everyStatusExpected,
    });
    printOp(opLine("write", 201, startEpochMs, response, readingId));
  } else {
    const response = http.get(`${targetUrl}/api/projects/1/readings?limit=20`, {
      timeout: timeoutMs,
      tags: { name: "GET /api/projects/:id/readings" },
      responseCallback: everyStatusExpected,
    });
    printOp(opLine("read", 200, startEpochMs, response));
  }
}

export function handleSummary(): Record<string, string> {
  return {};
}
