/**
 * People saving notes: an open model (a fixed number of notes started per second, whatever the latency), each
 * note one POST /notes with an id unique in the run. Every request is reported to havoc with reportHttp, so the
 * timeline counts it and, when acknowledged (201), the write ledger expects to find its id afterwards.
 */
import http from "k6/http";
import { envInt, everyStatusExpected, havocOptions, reportHttp, requestTimeoutMs, targetUrl, uniqueId } from "havoc/k6";

const notesPerSecond = envInt("NOTES_PER_SECOND", 1, 500);

export const options = havocOptions(
  { executor: "constant-arrival-rate", rate: notesPerSecond, timeUnit: "1s", preAllocatedVUs: 10, maxVUs: 50 },
  { discardResponseBodies: true },
);

const base = targetUrl();

export default function (): void {
  const id = uniqueId();
  const started = Date.now();
  const response = http.post(`${base}/notes`, JSON.stringify({ id, text: `note ${id}` }), {
    headers: { "Content-Type": "application/json" },
    timeout: requestTimeoutMs(),
    responseCallback: everyStatusExpected,
    tags: { name: "POST /notes" },
  });
  reportHttp("write", 201, started, response, id);
}
