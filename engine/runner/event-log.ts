import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { RunClock } from "../../core/clock.ts";
import type { RunEventBody } from "../../core/run-events.ts";

/**
 * Appends one JSON line per event to events.ndjson with a synchronous write, so every line is in the
 * kernel before the next step runs: a SIGKILLed harness still leaves the record up to that moment.
 */
export class EventLog {
  #fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly clock: RunClock,
    private readonly redact: (text: string) => string = (t) => t,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, "a");
  }

  write(body: RunEventBody): void {
    if (this.#fd === undefined) return;
    const line = JSON.stringify({ wall: new Date().toISOString(), atMs: this.clock.nowMs(), ...body });
    writeSync(this.#fd, this.redact(line) + "\n");
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
