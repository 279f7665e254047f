/**
 * People using trackr's dashboard API: closed model, one k6 VU per person (ramping-vus: a linear ramp to
 * USERS over RAMP_UP_MS, then flat). Each iteration is one request followed by think time, so a person
 * makes about REQUESTS_PER_MINUTE requests a minute (the design's model: 100), of which
 * WRITES_PER_MINUTE (1) are writes: POST /api/readings as the person's own device `dev-<1000000 + user>`.
 * Reads: 80 % GET /api/projects/<own project>/readings?limit=20 (what the dashboard polls), 10 % GET /,
 * 10 % GET /lb-health (a cheap call answered by the load balancer; not /healthz, which shares the app's 2-connection
 * health pool with haproxy's checks and would mark healthy nodes DOWN at user scale).
 * Read-your-writes: the first read after an acknowledged write is instead GET /api/devices/<own device>/readings
 * ?limit=5, and its op line says whether the write was there (`stale`). One check per acknowledged write; it
 * replaces a read, so the request rate is unchanged.
 *
 * No request starts after the scenario's duration (think time is cut at the deadline), so every request that k6
 * counts also prints its op line. Every request carries `X-User: user-<n>` for trackr's per-user rate limit.
 */
import exec from "k6/execution";
import http from "k6/http";
import type { Options } from "k6/options";
import { envInt, envNumber, everyStatusExpected, exponentialThinkMs, keySecret, opLine, printOp, segmentOptions, thinkUntil } from "havoc/k6";
import * as havoc from "havoc/k6";
import { deviceKeys } from "./device-keys.ts";
import { readYourWritesStale } from "./read-your-writes.ts";

const targetUrl = havoc.targetUrl();
const users = envInt("USERS", 1, 5_000);
const durationMs = havoc.durationMs();
const rampUpMs = envInt("RAMP_UP_MS", 0, 24 * 3_600_000, 0);
const requestsPerMinute = envNumber("REQUESTS_PER_MINUTE", 0.001, 600, 100);
const writesPerMinute = envNumber("WRITES_PER_MINUTE", 0, 600, 1);
const projects = envInt("PROJECTS", 1, 10_000, 5);
const timeoutMs = havoc.requestTimeoutMs();
const apiKeyOf = deviceKeys(keySecret());
const trafficName = havoc.trafficName();
const runId = havoc.runId();
if (rampUpMs >= durationMs) throw new Error("RAMP_UP_MS must be shorter than the class's duration");

const meanThinkMs = 60_000 / requestsPerMinute;
const writeShare = writesPerMinute / requestsPerMinute;
/** Users' devices are numbered from here, far above any device fleet's dev-1..dev-N. */
const userDeviceBase = 1_000_000;

export const options: Options = {
  ...segmentOptions(),
  scenarios: {
    users: {
      executor: "ramping-vus",
      startVUs: 0,
      stages: [
        ...(rampUpMs > 0 ? [{ duration: `${rampUpMs}ms`, target: users }] : []),
        { duration: `${durationMs - rampUpMs}ms`, target: users },
      ],
      // Requests start only before the deadline; one in flight at the end finishes within its timeout.
      gracefulStop: `${timeoutMs + 1_000}ms`,
      gracefulRampDown: `${timeoutMs + 1_000}ms`,
    },
  },
  discardResponseBodies: true,
  summaryTrendStats: ["avg", "p(50)", "p(99)", "max"],
};

// Per VU (each VU has its own JS runtime): a write counter for unique reading ids, whether it has started, and the
// last acknowledged write its next read must see.
let writes = 0;
let started = false;
let unchecked: string | undefined;

const thinkSampleMs = () => exponentialThinkMs(meanThinkMs);

export default function (): void {
  const deadlineMs = exec.scenario.startTime + durationMs;
  // People do not all click at the same instant: a VU's first request waits a random part of one think time.
  if (!started) {
    started = true;
    thinkUntil(deadlineMs, Math.random() * meanThinkMs);
  }
  if (Date.now() >= deadlineMs) return;
  // idInTest is unique across the processes of a split class (execution segments), so users are too.
  const user = exec.vu.idInTest;
  const deviceNumber = userDeviceBase + user;
  const project = (deviceNumber % projects) + 1; // the project trackr files this person's device under
  const headers = { "X-User": `user-${user}` };
  const roll = Math.random();
  const startEpochMs = Date.now();
  if (roll < writeShare) {
    writes++;
    const deviceId = `dev-${deviceNumber}`;
    const readingId = `${runId}-${trafficName}-u${user}-${writes}`;
    const body = JSON.stringify({ device_id: deviceId, reading_id: readingId, value: Math.round(Math.random() * 10_000) / 100, recorded_at: startEpochMs });
    const response = http.post(`${targetUrl}/api/readings`, body, {
      headers: { ...headers, "Content-Type": "application/json", "X-API-Key": apiKeyOf(deviceId) },
      timeout: timeoutMs,
      tags: { name: "POST /api/readings" },
      responseCallback: everyStatusExpected,
    });
    printOp(opLine("write", 201, startEpochMs, response, readingId));
    if (response.status === 201) unchecked = readingId;
  } else if (unchecked !== undefined) {
    const readingId = unchecked;
    unchecked = undefined;
    const response = http.get(`${targetUrl}/api/devices/dev-${deviceNumber}/readings?limit=5`, {
      headers,
      timeout: timeoutMs,
      tags: { name: "GET /api/devices/:id/readings" },
      responseCallback: everyStatusExpected,
      responseType: "text", // the script discards bodies; this one is the evidence
    });
    const line = opLine("read", 200, startEpochMs, response); // first, so its latency does not include the parse
    // A failed read (not 200, or not the expected JSON) gets no flag: it is no freshness check.
    const stale = readYourWritesStale(200, response.status, response.body, readingId);
    if (stale !== undefined) line.stale = stale;
    printOp(line);
  } else {
    const readRoll = (roll - writeShare) / (1 - writeShare);
    const [path, name] =
      readRoll < 0.8
        ? [`/api/projects/${project}/readings?limit=20`, "GET /api/projects/:id/readings"]
        : readRoll < 0.9
          ? ["/", "GET /"]
          : ["/lb-health", "GET /lb-health"];
    const response = http.get(`${targetUrl}${path}`, { headers, timeout: timeoutMs, tags: { name }, responseCallback: everyStatusExpected });
    printOp(opLine("read", 200, startEpochMs, response));
  }
  // Closed model: the next request follows this one's answer after a think time; latency counts against it.
  thinkUntil(deadlineMs, thinkSampleMs() - (Date.now() - startEpochMs));
}

export function handleSummary(): Record<string, string> {
  return {};
}
