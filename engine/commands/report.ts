import { existsSync } from "node:fs";
import { join } from "node:path";
import { ExitCode, InputError } from "../../core/errors.ts";
import { log as defaultLog, type Logger } from "../../core/log.ts";
import { renderConsoleTable } from "../../reports/reporters/console-table.ts";
import { rerenderRunDir } from "../../reports/rerender.ts";

/**
 * `havoc report <run-dir>`: re-renders every report file of a saved run (a killed run gets a partial report
 * rebuilt from events.ndjson) and prints the console table. Exit 0 when re-rendered, 2 when the directory holds
 * no run, 3 when a reporter failed (the files it should have written are stale or missing).
 */
export async function reportCommand(runDir: string, log: Logger = defaultLog): Promise<number> {
  if (!existsSync(runDir)) return problem(`${runDir} does not exist`);
  if (!existsSync(join(runDir, "report.json")) && !existsSync(join(runDir, "events.ndjson"))) {
    return problem(`${runDir} has neither report.json nor events.ndjson: not a run directory (expected havoc-results/runs/<run id> or havoc-results/latest)`);
  }
  let result;
  try {
    result = await rerenderRunDir(runDir, log);
  } catch (error) {
    // Malformed report.json/history.json/events.ndjson: bad input, named by the error.
    if (error instanceof InputError) return problem(error.message);
    throw error;
  }
  process.stdout.write(`\n${renderConsoleTable(result.report)}\n`);
  process.stdout.write(`report: ${runDir}\n`);
  if (result.failures.length > 0) {
    process.stderr.write(`havoc: ${result.failures.length} reporter(s) failed: ${result.failures.map((f) => `${f.file} (${f.message})`).join(", ")}\n`);
    return ExitCode.environment;
  }
  return ExitCode.pass;
}

function problem(message: string): number {
  process.stderr.write(`havoc: ${message}\n`);
  return ExitCode.invalidInput;
}
