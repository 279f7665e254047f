import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { errorMessage } from "../core/errors.ts";
import type { History } from "../core/history.ts";
import type { Logger } from "../core/log.ts";
import { RunReport } from "../judge/report-schema.ts";
import { fileReporters, type FileReporter } from "./reporters/registry.ts";

export interface ReporterFailure {
  reporter: string;
  file: string;
  message: string;
  /** What was thrown (its `code`, e.g. ENOSPC, names the cause in one line: core/io-failure.ts). */
  error: unknown;
}

export interface WriteReportsResult {
  /** File names written, in order; report.json last. */
  written: string[];
  failures: ReporterFailure[];
  /** The report as written to report.json (artifacts filled in). */
  report: RunReport;
}

/** Write, then rename: a run killed mid-write leaves the old file or none, never half a file. */
async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text, "utf8");
  await rename(`${path}.tmp`, path);
}

/**
 * Rewrites report.json after writeReports (a file listed late, an exit code changed late): read and validated, changed,
 * written and renamed. Throws what failed; the caller says it in its own words.
 */
export async function rewriteReportJson(runDir: string, change: (saved: RunReport) => RunReport): Promise<void> {
  const path = join(runDir, "report.json");
  const saved = RunReport.parse(JSON.parse(await readFile(path, "utf8")));
  await writeAtomically(path, JSON.stringify(change(saved), null, 2) + "\n");
}

/**
 * Writes junit.xml, summary.md, report.html and, last, report.json (whose `artifacts` then lists what was
 * really written, plus whatever the runner had listed already, e.g. events.ndjson). Each reporter runs in its
 * own try/catch: a failing reporter is logged and returned in `failures`; it never changes the verdict and
 * never stops the others. Never throws.
 */
export async function writeReports(
  runDir: string,
  report: RunReport,
  history: History | undefined,
  log: Logger,
  reporters: readonly FileReporter[] = fileReporters,
): Promise<WriteReportsResult> {
  const startedMs = Date.now();
  log.info(`writing reports to ${runDir}`);
  const written: string[] = [];
  const failures: ReporterFailure[] = [];
  const fail = (reporter: string, file: string, error: unknown) => {
    const message = errorMessage(error);
    failures.push({ reporter, file, message, error });
    log.warn(`reporter ${reporter} failed: ${message}`);
  };
  try {
    await mkdir(runDir, { recursive: true });
  } catch (error) {
    // Each write below will fail too and be reported; nothing more to do here.
    log.warn(`cannot create run directory ${runDir}: ${errorMessage(error)}`);
  }
  // What the reporters see: every file this run means to leave behind (the HTML page lists them).
  const planned = [...new Set([...report.artifacts, ...reporters.map((r) => r.file), "report.json"])];
  const shown: RunReport = { ...report, artifacts: planned };
  for (const reporter of reporters) {
    try {
      await writeAtomically(join(runDir, reporter.file), reporter.render(shown, history));
      written.push(reporter.file);
    } catch (error) {
      fail(reporter.name, reporter.file, error);
    }
  }
  const final: RunReport = { ...report, artifacts: [...new Set([...report.artifacts, ...written, "report.json"])] };
  try {
    await writeAtomically(join(runDir, "report.json"), JSON.stringify(final, null, 2) + "\n");
    written.push("report.json");
  } catch (error) {
    fail("json", "report.json", error);
  }
  log.info(`wrote ${written.length} reports to ${runDir} in ${Date.now() - startedMs} ms${failures.length ? ` (${failures.length} failed)` : ""}`);
  return { written, failures, report: final };
}
