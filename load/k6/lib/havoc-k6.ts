/**
 * The inside of `havoc/k6` (lib/public-api.ts is its face): environment parsing, the loopback guard, execution
 * segments, outcome classification and the op line contract.
 *
 * Output contract: exactly one `console.log` line per HTTP attempt in format 2 (lib/op-line-format.ts: a TAB-separated
 * positional line, the OpRecord of core/history.ts minus `traffic`, which the Node side adds). havoc runs k6 with
 * `--log-format=raw --console-output=<file>`, so the lines go to a file it reads a few times a second: printing one
 * costs k6 no JSON encoding and never waits for the reader.
 */
import type { RefinedResponse, ResponseType } from "k6/http";
import http from "k6/http";
import type { Options } from "k6/options";
import { formatOpLine, type OpLine, type Outcome } from "./op-line-format.ts";

export type { OpLine, Outcome } from "./op-line-format.ts";

// @types/k6 does not declare console (it lives in lib.dom / @types/node, neither of which applies to k6).
declare const console: { log(...values: unknown[]): void };

/** Reads an integer env var and fails the init context (k6 exits non-zero) when it is missing or out of range. */
export function envInt(name: string, min: number, max: number, fallback?: number): number {
  const text = __ENV[name];
  if ((text === undefined || text === "") && fallback !== undefined) return fallback;
  const value = Number(text);
  if (text === undefined || text === "" || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Like envInt for a finite number. */
export function envNumber(name: string, min: number, max: number, fallback?: number): number {
  const text = __ENV[name];
  if ((text === undefined || text === "") && fallback !== undefined) return fallback;
  const value = Number(text);
  if (text === undefined || text === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number in [${min}, ${max}], got ${JSON.stringify(text)}`);
  }
  return value;
}

export function envText(name: string): string {
  const text = __ENV[name];
  if (text === undefined || text === "") throw new Error(`${name} must be set`);
  return text;
}

/**
 * A URL of env var `name` without trailing slashes. Traffic rule: loopback (ports the run's containers publish here),
 * or one of the hosts havoc names in HAVOC_TARGET_HOSTS: a declared host's address (ports published there), or a
 * node's name inside the run's own network (a load generator running as a container on it).
 */
export function loopbackUrl(name: string, url: string): string {
  const trimmed = url.replace(/\/+$/, "");
  if (/^http:\/\/(127\.0\.0\.1|\[::1\])(:\d+)?$/.test(trimmed)) return trimmed;
  const host = /^http:\/\/(\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9.-]+)(:\d+)?$/.exec(trimmed)?.[1];
  const allowed = (__ENV.HAVOC_TARGET_HOSTS ?? "").split(",").filter((h) => h !== "");
  if (host !== undefined && allowed.includes(host.replace(/^\[|\]$/g, ""))) return trimmed;
  const others = allowed.length > 0 ? ` or a host havoc names (${allowed.join(", ")})` : "";
  throw new Error(`${name} must be http://127.0.0.1:<port> or http://[::1]:<port>${others}, got ${trimmed}`);
}

/** HAVOC_TARGET_URL without trailing slashes (loopback only). */
export function loopbackTarget(): string {
  return loopbackUrl("HAVOC_TARGET_URL", envText("HAVOC_TARGET_URL"));
}

/**
 * Execution segment of this process when a class is split over several k6 processes (HAVOC_SEGMENT "1/3:2/3",
 * HAVOC_SEGMENT_SEQUENCE "0,1/3,2/3,1"; the same values as k6's --execution-segment flags). Setting them as
 * script options keeps the k6 command line identical for every script.
 */
export function segmentOptions(): Pick<Options, "executionSegment" | "executionSegmentSequence"> {
  const segment = __ENV.HAVOC_SEGMENT;
  const sequence = __ENV.HAVOC_SEGMENT_SEQUENCE;
  if (!segment) return {};
  if (!sequence) throw new Error("HAVOC_SEGMENT needs HAVOC_SEGMENT_SEQUENCE");
  return { executionSegment: segment, executionSegmentSequence: sequence };
}


// k6 error codes (https://grafana.com/docs/k6/latest/javascript-api/error-codes/, lib/netext/httpext/error_codes.go).
const REQUEST_TIMEOUT = 1050;
const TCP_BROKEN_PIPE = 1201;
const TCP_DIAL_REFUSED = 1212;
const TCP_RESET_BY_PEER = 1220;
const GENERIC_ERROR = 1000;

/**
 * Maps a response to an outcome. Only a definite answer is "fail": a refused connection never reached the app,
 * a 4xx/5xx (429 from the rate limiter included: cause http_429) was rejected. Anything where the request may have
 * been processed is "unknown". `okStatus` is the success status (201 for a write, 200 for a read).
 */
export function classify(okStatus: number, status: number, errorCode: number, error: string): { outcome: Outcome; cause: string } {
  if (status === okStatus) return { outcome: "ok", cause: `http_${status}` };
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
// Typed through ReturnType: @types/k6 does not export the callback's interface, and declarations need a name for it.
export const everyStatusExpected: ReturnType<typeof http.expectedStatuses> = http.expectedStatuses({ min: 100, max: 599 });

/** Builds the op line of one finished HTTP attempt (node from X-Served-By: an app node, or "lb" for haproxy's 429). */
export function opLine<RT extends ResponseType | undefined>(
  op: "write" | "read",
  okStatus: number,
  startEpochMs: number,
  response: RefinedResponse<RT>,
  id?: string,
): OpLine {
  const durationMs = Date.now() - startEpochMs;
  const { outcome, cause } = classify(okStatus, response.status, response.error_code, response.error);
  const line: OpLine = { havoc: "op", op, startEpochMs, durationMs, outcome, cause };
  if (id !== undefined) line.id = id;
  const node = response.headers["X-Served-By"];
  if (node) line.node = node;
  return line;
}

/** Prints the op line of one op (format 2). */
export function printOp(line: OpLine): void {
  console.log(formatOpLine(line));
}
