import type { Readable } from "node:stream";
import type { ContainerEvent } from "../../core/history.ts";
import { Engines } from "./engines.ts";
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
 * Follows Docker's event stream for one run's containers, on every engine of the run (one stream each). Fault times
 * come from here (the moment Docker saw the process die), not from when our API call returned, which is 100+ ms
 * later. A remote engine stamps its events with its own clock: hosts of one run are expected to keep time with NTP.
 */
export class ContainerEventWatcher {
  readonly events: TimedContainerEvent[] = [];
  #streams: Readable[] = [];
  #waiters: { match: (e: TimedContainerEvent) => boolean; resolve: (e: TimedContainerEvent) => void }[] = [];

  constructor(
    private readonly runId: string,
    private readonly onEvent: (event: TimedContainerEvent) => void = () => {},
    private readonly engines: Engines = Engines.localOnly(),
  ) {}

  async start(): Promise<void> {
    const filters = JSON.stringify({ type: ["container"], label: [`${RUN_LABEL}=${this.runId}`] });
    for (const engine of this.engines.all()) {
      const stream = (await engine.docker.getEvents({ filters })) as unknown as Readable;
      // Each stream has its own partial line: chunks of two engines never interleave within one buffer.
      let buffer = "";
      stream.on("data", (chunk: Buffer) => {
        buffer += chunk.toString("utf8");
        let newline: number;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (line) this.#onLine(line);
        }
      });
      stream.on("error", () => {});
      this.#streams.push(stream);
    }
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
    for (const stream of this.#streams) stream.destroy();
    this.#streams = [];
  }

  /** Events as history records, on the run clock (ms from traffic start). */
  toHistory(originEpochMs: number): ContainerEvent[] {
    return this.events.map((e) => ({ atMs: e.epochMs - originEpochMs, node: e.node, action: e.action, ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}) }));
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
