import { closeSync, openSync, writeSync } from "node:fs";
import type { WorkloadOp } from "../../core/workload-op.ts";

/**
 * Appends one NDJSON line per completed op to `<run dir>/history-<traffic>.ndjson` (core/workload-op.ts),
 * written synchronously as each op completes so that a run killed at any moment keeps every op it completed. The
 * index is the line's position, so the file's order is the completion order.
 */
export class HistoryWriter {
  readonly path: string;
  #fd: number | null;
  #count = 0;

  constructor(path: string) {
    this.path = path;
    this.#fd = openSync(path, "a");
  }

  get count(): number {
    return this.#count;
  }

  /** Writes the op with the next index; returns the op as written. Ignored once closed. */
  write(op: Omit<WorkloadOp, "index">): WorkloadOp | undefined {
    if (this.#fd === null) return undefined;
    const full: WorkloadOp = { index: this.#count++, ...op };
    writeSync(this.#fd, `${JSON.stringify(full)}\n`);
    return full;
  }

  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
  }
}
