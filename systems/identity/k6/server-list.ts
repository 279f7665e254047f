/**
 * A client that holds a list of servers (the identity design has no load balancer): each request goes to the
 * client's current server; on a failure (refused, reset, a 5xx) or a timeout the client moves to the next server in
 * its list and sends the same request again, until one answers or `attempts` are spent. Every attempt prints its
 * own op line with the same id, so the ledger keeps the strongest outcome of the request.
 */
import http from "k6/http";
import { envInt, envText, everyStatusExpected, opLine, printOp, type OpLine } from "havoc/k6";
import * as havoc from "havoc/k6";
import { rotated, shouldMoveOn } from "./server-list-rules.ts";

export interface Attempted {
  /** The last attempt's op line (already printed unless the caller asked to print it itself). */
  line: OpLine;
  status: number;
  body: string | null;
}

export class ServerListClient {
  readonly #urls: string[];
  readonly #attempts: number;
  readonly #resume: "last-good" | "first";
  readonly #timeoutMs: number;
  #current = 0;

  /** `rotateBy`: this client's list is the configured one rotated by this many places (SPREAD). */
  constructor(urls: string[], options: { attempts: number; resume: "last-good" | "first"; timeoutMs: number; rotateBy: number }) {
    this.#urls = rotated(urls, options.rotateBy);
    this.#attempts = options.attempts;
    this.#resume = options.resume;
    this.#timeoutMs = options.timeoutMs;
  }

  /**
   * POSTs `body` to `path`, trying servers from the current one. `decorate` may add to each attempt's op line
   * (e.g. the read-your-writes flag) before it is printed.
   */
  post(op: "write" | "read", okStatus: number, path: string, body: unknown, id: string | undefined, name: string, decorate?: (line: OpLine, status: number, body: string | null) => void): Attempted {
    if (this.#resume === "first") this.#current = 0;
    const payload = JSON.stringify(body);
    let last: Attempted | undefined;
    for (let attempt = 0; attempt < this.#attempts; attempt++) {
      const url = this.#urls[this.#current]!;
      const startEpochMs = Date.now();
      const response = http.post(`${url}${path}`, payload, {
        headers: { "Content-Type": "application/json" },
        timeout: this.#timeoutMs,
        tags: { name },
        responseCallback: everyStatusExpected,
        responseType: "text",
      });
      const line = opLine(op, okStatus, startEpochMs, response, id);
      const text = typeof response.body === "string" ? response.body : null;
      decorate?.(line, response.status, text);
      printOp(line);
      last = { line, status: response.status, body: text };
      if (!shouldMoveOn(line.outcome, response.status)) return last;
      this.#current = (this.#current + 1) % this.#urls.length;
    }
    return last!;
  }
}

/** The server-list settings every identity script reads (set by ../traffic.ts). */
export function serverListSettings(): { urls: string[]; attempts: number; resume: "last-good" | "first"; spread: boolean; timeoutMs: number } {
  const urls = havoc.serverUrls();
  const resume = envText("RESUME");
  if (resume !== "last-good" && resume !== "first") throw new Error(`RESUME must be last-good or first, got ${resume}`);
  return {
    urls,
    attempts: envInt("ATTEMPTS", 1, 16, urls.length),
    resume,
    spread: envInt("SPREAD", 0, 1, 0) === 1,
    timeoutMs: havoc.requestTimeoutMs(),
  };
}
