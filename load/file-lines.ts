import { closeSync, openSync, readSync } from "node:fs";

/**
 * Follows a file another process appends lines to (k6's --console-output file) and hands over each complete line.
 * The file is read in large chunks a few times a second, so the writer never waits for the reader (a pipe blocks
 * the writer once 64 KiB are unread, and wakes the reader per write) and the reader wakes up a few times a second
 * instead of once per line.
 */
export interface FileLines {
  /** Reads what is there now (the tick does this on its own; exposed for tests and the final drain). */
  readNow(): void;
  /** Reads to the end of the file, hands over a last line without its newline, closes the file. Idempotent. */
  finish(): void;
  /** Lines handed over so far. */
  readonly lines: number;
}

export interface FileLinesOptions {
  /** How often the file is read while it grows, ms. Default 200. */
  intervalMs?: number;
  /** Bytes per read (and the longest line kept whole beyond it grows the buffer). Default 1 MiB. */
  chunkBytes?: number;
}

export function followFileLines(path: string, onLine: (line: string) => void, options: FileLinesOptions = {}): FileLines {
  const intervalMs = options.intervalMs ?? 200;
  let buffer = Buffer.allocUnsafe(options.chunkBytes ?? 1 << 20);
  /** Bytes at the start of `buffer` that belong to a line not yet ended. */
  let carried = 0;
  let position = 0;
  let fd: number | undefined;
  let finished = false;
  let lines = 0;
  let failure: unknown;

  const open = (): boolean => {
    if (fd !== undefined) return true;
    try {
      fd = openSync(path, "r");
      return true;
    } catch (error) {
      // The writer creates the file once it starts; until then there is nothing to read.
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  };

  /** Hands over every complete line in buffer[0, end) and keeps the unfinished rest at the start of the buffer. */
  const split = (end: number) => {
    const lastNewline = buffer.lastIndexOf(10, end - 1);
    if (lastNewline < 0) {
      carried = end;
      return;
    }
    const text = buffer.toString("utf8", 0, lastNewline);
    let from = 0;
    for (;;) {
      const newline = text.indexOf("\n", from);
      const line = newline < 0 ? text.slice(from) : text.slice(from, newline);
      lines++;
      onLine(line);
      if (newline < 0) break;
      from = newline + 1;
    }
    carried = end - lastNewline - 1;
    if (carried > 0) buffer.copy(buffer, 0, lastNewline + 1, end);
  };

  const readNow = () => {
    if (finished || !open()) return;
    for (;;) {
      // A line longer than the buffer: grow it, so a line is never cut.
      if (carried === buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, carried);
        buffer = grown;
      }
      const n = readSync(fd!, buffer, carried, buffer.length - carried, position);
      if (n === 0) return;
      position += n;
      split(carried + n);
    }
  };

  const timer = setInterval(() => {
    try {
      readNow();
    } catch (error) {
      // Kept for finish(): a throwing onLine must not become an uncaught exception of a timer.
      failure ??= error;
      clearInterval(timer);
    }
  }, intervalMs);

  return {
    readNow,
    finish() {
      if (finished) return;
      clearInterval(timer);
      try {
        if (failure !== undefined) throw failure;
        readNow();
        if (carried > 0) {
          lines++;
          const rest = buffer.toString("utf8", 0, carried);
          carried = 0;
          onLine(rest);
        }
      } finally {
        finished = true;
        if (fd !== undefined) closeSync(fd);
      }
    },
    get lines() {
      return lines;
    },
  };
}
