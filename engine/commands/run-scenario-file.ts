import { DEFAULT_OUTPUT_DIR } from "../../core/output-dir.ts";
import { resolve } from "node:path";
import { ExitCode } from "../../core/errors.ts";
import { log } from "../../core/log.ts";
import { renderConsoleTable } from "../../reports/reporters/console-table.ts";
import { loadScenarioFile } from "../../scenario/load-scenario.ts";
import { runScenario } from "../runner/run-scenario.ts";
import { enableTypeScriptImports } from "./typescript-imports.ts";

/**
 * `havoc run` and `havoc demo`: loads, validates and runs one scenario file, prints its table; the first SIGINT or
 * SIGTERM heals, stops traffic and tears down, the second exits at once.
 */
export async function runScenarioFile(file: string, options: { seed?: number | undefined; reportsDir?: string | undefined; hosts?: Record<string, { docker: string }> }): Promise<number> {
  await enableTypeScriptImports();
  const scenario = await loadScenarioFile(file, { ...(options.hosts ? { hosts: options.hosts } : {}) });
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      // Second signal: stop now; the next run's start (or `havoc clean`) sweeps what is left.
      log.warn(`${signal} again: exiting without cleanup`);
      process.exit(signal === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted);
    }
    log.warn(`${signal}: healing faults, stopping traffic, tearing down (send again to force)`);
    abort.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const outcome = await runScenario({
      file,
      scenario,
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      reportsDir: resolve(options.reportsDir ?? DEFAULT_OUTPUT_DIR),
      log,
      signal: abort.signal,
    });
    // The folder first, the table after: its last line, the verdict with the exit code this process returns, is
    // the last line of a CI log.
    process.stdout.write(`report: ${outcome.runDir}\n\n${renderConsoleTable(outcome.report)}`);
    return outcome.exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
