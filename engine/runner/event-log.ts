import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import type { RunClock } from "../../core/clock.ts";
import { ioFailureMessage } from "../../core/io-failure.ts";
import type { RunEventBody } from "../../core/run-events.ts";

/**
 * Appends one JSON line per event to events.ndjson with a synchronous write, so every line is in the
 * kernel before the next step runs: a SIGKILLed harness still leaves the record up to that moment.
 *
 * It never throws once open: a write that fails (a full disk) is the harness's own failure, told once to
 * `onFailure` (the run ends as an error, exit 3) and the log stops writing; the run still heals and tears down.
 * A throw here would come out of a timer callback and kill the process with containers still running.
 */
export class EventLog {
  #fd: number | undefined;
  #failure: string | undefined;
  /** Told the first write failure, once. */
  onFailure: (message: string) => void = () => undefined;

  constructor(
    readonly path: string,
    private readonly clock: RunClock,
    private readonly redact: (text: string) => string = (t) => t,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.#fd = openSync(path, "a");
  }

  /** The first write failure, as one line; undefined while every write succeeded. */
  get failure(): string | undefined {
    return this.#failure;
  }

  write(body: RunEventBody): void {
    if (this.#fd === undefined) return;
    const line = JSON.stringify({ wall: new Date().toISOString(), atMs: this.clock.nowMs(), ...body });
    try {
      writeSync(this.#fd, this.redact(line) + "\n");
    } catch (error) {
      this.#failure = ioFailureMessage("write", this.path, error);
      this.close();
      this.onFailure(this.#failure);
    }
  }

  close(): void {
    const fd = this.#fd;
    this.#fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Closing a descriptor whose writes failed can fail too; there is nothing left to save.
    }
  }
}
