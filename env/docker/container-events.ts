import type { Readable } from "node:stream";
import type { ContainerEvent } from "../../core/history.ts";
import { dockerClient } from "./client.ts";
import { NODE_LABEL, RUN_LABEL } from "./labels.ts";

/** A container event with Docker's own timestamp (nanosecond precision, epoch ms here). */
export interface TimedContainerEvent {
  epochMs: number;
  node: string;
  action: string;
  exitCode?: number;
}

const INTERESTING = new Set(["create", "start", "die", "kill", "stop", "pause", "unpause", "oom", "restart", "destroy"]);

/**
 * Follows Docker's event stream for one run's containers. Fault times come from here (the moment Docker
 * saw the process die), not from when our API call returned, which is 100+ ms later.
 */
export class ContainerEventWatcher {
  readonly events: TimedContainerEvent[] = [];
  #stream: Readable | undefined;
  #waiters: { match: (e: TimedContainerEvent) => boolean; resolve: (e: TimedContainerEvent) => void }[] = [];
  #buffer = "";

  constructor(
    private readonly runId: string,
    private readonly onEvent: (event: TimedContainerEvent) => void = () => {},
  ) {}

  async start(): Promise<void> {
    const filters = JSON.stringify({ type: ["container"], label: [`${RUN_LABEL}=${this.runId}`] });
    this.#stream = (await dockerClient().getEvents({ filters })) as unknown as Readable;
    this.#stream.on("data", (chunk: Buffer) => this.#onData(chunk.toString("utf8")));
    this.#stream.on("error", () => {});
  }

  /** Resolves with the first event (already seen or future) at or after `sinceEpochMs` for `node` and `action`. */
  waitFor(node: string, action: string, sinceEpochMs: number, timeoutMs: number): Promise<TimedContainerEvent | undefined> {
    const match = (e: TimedContainerEvent) => e.node === node && e.action === action && e.epochMs >= sinceEpochMs;
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => {
      const waiter = { match, resolve: (e: TimedContainerEvent | undefined) => resolve(e) };
      this.#waiters.push(waiter as never);
      setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== (waiter as never));
        resolve(undefined);
      }, timeoutMs).unref();
    });
  }

  stop(): void {
    this.#stream?.destroy();
    this.#stream = undefined;
  }

  /** Events as history records, on the run clock (ms from traffic start). */
  toHistory(originEpochMs: number): ContainerEvent[] {
    return this.events.map((e) => ({ atMs: e.epochMs - originEpochMs, node: e.node, action: e.action, ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}) }));
  }

  #onData(text: string): void {
    this.#buffer += text;
    let newline: number;
    while ((newline = this.#buffer.indexOf("\n")) >= 0) {
      const line = this.#buffer.slice(0, newline).trim();
      this.#buffer = this.#buffer.slice(newline + 1);
      if (line) this.#onLine(line);
    }
  }

  #onLine(line: string): void {
    let raw: { Action?: string; status?: string; timeNano?: number; time?: number; Actor?: { Attributes?: Record<string, string> } };
    try {
      raw = JSON.parse(line);
    } catch {
      return;
    }
    const action = (raw.Action ?? raw.status ?? "").split(":")[0]!;
    const node = raw.Actor?.Attributes?.[NODE_LABEL];
    if (!node || !INTERESTING.has(action)) return;
    const exitCode = raw.Actor?.Attributes?.exitCode;
    const event: TimedContainerEvent = {
      epochMs: raw.timeNano ? raw.timeNano / 1e6 : (raw.time ?? 0) * 1000,
      node,
      action,
      ...(exitCode !== undefined ? { exitCode: Number(exitCode) } : {}),
    };
    this.events.push(event);
    this.onEvent(event);
    for (const waiter of this.#waiters.filter((w) => w.match(event))) waiter.resolve(event);
    this.#waiters = this.#waiters.filter((w) => !w.match(event));
  }
}
