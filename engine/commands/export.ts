import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ExitCode } from "../../core/errors.ts";
import { ioFailureMessage } from "../../core/io-failure.ts";
import { toJepsenEdn } from "../../judge/checkers/jepsen-edn.ts";
import { readWorkloadHistory } from "../../judge/checkers/read-history.ts";
import { describeProblems } from "../../judge/checkers/result.ts";

export interface ExportOptions {
  format?: string;
  out?: string;
  traffic?: string;
}

const historyFile = /^history-([a-z][a-z0-9-]*)\.ndjson$/;

/**
 * `havoc export --format jepsen <run dir>`: each workload history of the run as Jepsen's history.edn
 * (judge/checkers/jepsen-edn.ts). Exit 0 written, 2 bad input (no run, no history, malformed history, bad flag),
 * 3 a file could not be written. Prints one line per file written.
 */
export async function exportCommand(runDir: string, options: ExportOptions = {}): Promise<number> {
  const format = options.format ?? "jepsen";
  if (format !== "jepsen") return problem(`--format ${format}: the only format is jepsen (Jepsen's history.edn)`);
  if (!existsSync(runDir)) return problem(`${runDir} does not exist`);
  if (!existsSync(join(runDir, "report.json")) && !existsSync(join(runDir, "events.ndjson"))) {
    return problem(`${runDir} has neither report.json nor events.ndjson: not a run directory (expected havoc-results/runs/<run id> or havoc-results/latest)`);
  }
  const classes = (await readdir(runDir)).flatMap((name) => historyFile.exec(name)?.[1] ?? []).sort();
  if (classes.length === 0) return problem(`${runDir} holds no workload history (history-<class>.ndjson): only a run with a workload traffic class records one`);
  const chosen = options.traffic === undefined ? classes : classes.filter((c) => c === options.traffic);
  if (chosen.length === 0) return problem(`--traffic ${options.traffic}: ${runDir} has no history of that class (it has ${classes.join(", ")})`);
  if (options.out !== undefined && chosen.length > 1) return problem(`--out names one file, but ${runDir} has ${chosen.length} histories (${chosen.join(", ")}): pick one with --traffic`);
  // Every history is read and checked before anything is written: a malformed one leaves no partial export.
  const converted: { from: string; to: string; edn: string; ops: number }[] = [];
  for (const c of chosen) {
    const from = join(runDir, `history-${c}.ndjson`);
    const history = await readWorkloadHistory(from);
    if (history.problems.length > 0) return problem(`${from}: ${describeProblems(history.problems)}; not exported (a history with holes could pass a check it should fail)`);
    converted.push({ from, to: options.out ?? join(runDir, `history-${c}.edn`), edn: toJepsenEdn(history.ops), ops: history.ops.length });
  }
  for (const file of converted) {
    try {
      await writeFile(file.to, file.edn);
    } catch (error) {
      process.stderr.write(`havoc: ${ioFailureMessage("write", file.to, error)}\n`);
      return ExitCode.environment;
    }
    process.stdout.write(`${file.to}: ${file.ops} ops (${file.ops * 2} events) from ${file.from}\n`);
  }
  return ExitCode.pass;
}

function problem(message: string): number {
  process.stderr.write(`havoc: ${message}\n`);
  return ExitCode.invalidInput;
}
