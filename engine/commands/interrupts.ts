import { ExitCode } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";

/**
 * For the commands that run one live run after another (explore, shrink): the first SIGINT/SIGTERM aborts `abort`
 * (the run under way heals, stops traffic and tears down; the loop then stops and prints what it has), the second
 * exits at once. Returns the function that removes the handlers.
 */
export function onInterrupt(abort: AbortController, log: Logger, what: string): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      log.warn(`${signal} again: exiting without cleanup`);
      process.exit(signal === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted);
    }
    log.warn(`${signal}: stopping the run under way (healing, tearing down), then ${what} (send again to force)`);
    abort.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return () => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  };
}

/** The exit code of a command stopped by `signal`. */
export function interruptedExitCode(signal: AbortSignal): number {
  return signal.reason === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted;
}
