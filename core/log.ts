/**
 * Progress output. Lines go to stderr so stdout stays free for machine-readable output.
 * Log in pairs ("starting X" / "started X in N ms") so a hang is visible by a missing second line.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  /** Runs `work`, printing "<what>..." first and "<what>: done in N ms" (or the failure) after. */
  step<T>(what: string, work: () => Promise<T>): Promise<T>;
}

/** On a terminal, clear the live status line first so a log line never lands in the middle of it. */
const clearStatusLine = process.stderr.isTTY ? "\r\x1b[2K" : "";

export function createLogger(prefix = "havoc", write: (line: string) => void = (l) => process.stderr.write(clearStatusLine + l + "\n")): Logger {
  const line = (message: string) => write(`[${prefix}] ${message}`);
  return {
    info: line,
    warn: (message) => line(`warning: ${message}`),
    async step(what, work) {
      const startedMs = Date.now();
      line(`${what} ...`);
      try {
        const result = await work();
        line(`${what}: done in ${Date.now() - startedMs} ms`);
        return result;
      } catch (error) {
        line(`${what}: FAILED after ${Date.now() - startedMs} ms`);
        throw error;
      }
    },
  };
}

export const log = createLogger();
