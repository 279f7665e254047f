// People saving notes: 20 a second whatever the latency, each note's id unique in the run and reported to havoc.
import http from "k6/http";
import { everyStatusExpected, havocOptions, reportHttp, requestTimeoutMs, targetUrl, uniqueId } from "havoc/k6";

export const options = havocOptions({ executor: "constant-arrival-rate", rate: 20, timeUnit: "1s", preAllocatedVUs: 10, maxVUs: 50 });

export default function (): void {
  const id = uniqueId();
  const started = Date.now();
  const response = http.post(`${targetUrl()}/notes`, JSON.stringify({ id }), {
    headers: { "Content-Type": "application/json" },
    timeout: requestTimeoutMs(),
    responseCallback: everyStatusExpected,
  });
  reportHttp("write", 201, started, response, id);
}
