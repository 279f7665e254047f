/**
 * `havoc/k6`: what a k6 script of the user's own (a `script: "k6"` traffic class) needs to feed havoc's timeline
 * and write ledger. havoc bundles the script with esbuild before k6 runs it, so `import ... from "havoc/k6"` resolves
 * through the installed package like any import.
 *
 * The contract: one op line per request, printed with reportHttp() (or reportOp() for anything not HTTP). A write
 * carries the id the system stores, so the readback can prove it was not lost; an op ends ok, fail (a definite
 * "no") or unknown (may have happened: timeout, reset, 502/504).
 *
 * ```ts
 * import http from "k6/http";
 * import { everyStatusExpected, havocOptions, reportHttp, requestTimeoutMs, targetUrl, uniqueId } from "havoc/k6";
 * export const options = havocOptions({ executor: "constant-arrival-rate", rate: 20, timeUnit: "1s", preAllocatedVUs: 10, maxVUs: 50 });
 * export default function () {
 *   const id = uniqueId();
 *   const started = Date.now();
 *   const res = http.post(`${targetUrl()}/notes`, JSON.stringify({ id }), { timeout: requestTimeoutMs(), responseCallback: everyStatusExpected });
 *   reportHttp("write", 201, started, res, id);
 * }
 * ```
 */
import exec from "k6/execution";
import type { RefinedResponse, ResponseType } from "k6/http";
import type { ConstantArrivalRateScenario, ConstantVUsScenario, Options } from "k6/options";
import { envInt, envText, loopbackTarget, loopbackUrl, opLine, printOp, segmentOptions, type OpLine, type Outcome } from "./havoc-k6.ts";

export { classify, envInt, envNumber, envText, everyStatusExpected, opLine, printOp, segmentOptions, type OpLine, type Outcome } from "./havoc-k6.ts";
export { answeredObject } from "./read-your-writes.ts";
export { exponentialThinkMs, thinkUntil } from "./think-time.ts";

/** http://127.0.0.1:<port> of the class's target (the run's own published port; anything else is refused). */
export function targetUrl(): string {
  return loopbackTarget();
}

/** How long the class runs, ms (the class's `duration`). */
export function durationMs(): number {
  return envInt("HAVOC_DURATION_MS", 1_000, 24 * 3_600_000);
}

/** Per-request timeout, ms (the class's `requestTimeout`); a request that times out is an unknown outcome. */
export function requestTimeoutMs(): number {
  return envInt("HAVOC_TIMEOUT_MS", 1, 600_000);
}

/** The class's name (HAVOC_TRAFFIC). */
export function trafficName(): string {
  return envText("HAVOC_TRAFFIC");
}

/**
 * The class's servers in the order its clients hold them (a class with `servers` instead of one `target`), each
 * http://127.0.0.1:<port>; a class with one target gives [targetUrl()].
 */
export function serverUrls(): string[] {
  const list = __ENV.HAVOC_SERVERS;
  if (list === undefined || list === "") return [targetUrl()];
  return list.split(",").map((url) => loopbackUrl("HAVOC_SERVERS", url));
}

/** The value of the class's `keySecret` (a per-run secret, e.g. to derive API keys or passwords); never print it. */
export function keySecret(): string {
  return envText("HAVOC_KEY_SECRET");
}

/**
 * How long after the class's duration an iteration still running may finish (the class's `gracefulStop`, by default
 * its request timeout plus 1 s), ms: use it as your executor's gracefulStop when you set the executor yourself.
 */
export function gracefulStopMs(): number {
  return envInt("HAVOC_GRACEFUL_STOP_MS", 0, 600_000, requestTimeoutMs() + 1_000);
}

/** The run's id: fresh every run, so ids built from it never meet a previous run's. */
export function runId(): string {
  return envText("HAVOC_RUN_ID");
}

/** Executors whose length havoc sets from the class's duration. */
export type HavocExecutor = Omit<ConstantArrivalRateScenario, "duration" | "gracefulStop" | "exec"> | Omit<ConstantVUsScenario, "duration" | "gracefulStop" | "exec">;

/**
 * k6 options for the class: one scenario with your executor settings, running for the class's duration, with a
 * gracefulStop long enough for an in-flight request to end by its own timeout (and still print its op line), and
 * this process's execution segment when the class is split over several k6 processes. `extra` adds other options
 * (thresholds are pointless: havoc judges SLOs from the op lines).
 */
export function havocOptions(executor: HavocExecutor, extra: Omit<Options, "scenarios"> = {}): Options {
  return {
    ...extra,
    ...segmentOptions(),
    scenarios: { [trafficName()]: { ...executor, duration: `${durationMs()}ms`, gracefulStop: `${gracefulStopMs()}ms` } as ConstantArrivalRateScenario | ConstantVUsScenario },
  };
}

/**
 * An id unique in the whole run, also across the processes of a split class (k6's iterationInTest is disjoint
 * between execution segments): `<run id>-<iteration>[-<suffix>]`. Give a suffix for a second write in one iteration.
 */
export function uniqueId(suffix?: string): string {
  return `${runId()}-${exec.scenario.iterationInTest}${suffix === undefined ? "" : `-${suffix}`}`;
}

/**
 * Reports one finished HTTP request: outcome from `okStatus` and k6's error code (see classify), the answering
 * node from an `X-Served-By` header if the system sends one. Returns the op line (e.g. to decide on a retry).
 */
export function reportHttp<RT extends ResponseType | undefined>(op: "write" | "read", okStatus: number, startEpochMs: number, response: RefinedResponse<RT>, id?: string): OpLine {
  const line = opLine(op, okStatus, startEpochMs, response, id);
  printOp(line);
  return line;
}

/** Reports an op that is not one HTTP request (a gRPC call, a websocket message, several requests as one op). */
export function reportOp(op: { op: "write" | "read"; startEpochMs: number; durationMs: number; outcome: Outcome; cause: string; id?: string; node?: string }): void {
  printOp({ havoc: "op", ...op });
}
