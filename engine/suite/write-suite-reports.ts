import { copyFile, mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { SUITE_FILE } from "./baseline.ts";
import type { ScenarioFlakiness } from "./flakiness.ts";
import { HISTORY_FILE } from "./history-file.ts";
import { renderSuiteIndex } from "./suite-index-html.ts";
import { renderSuiteJunit } from "./suite-junit.ts";
import type { SuiteRecord } from "./suite-record.ts";
import { renderSuiteSummary } from "./suite-summary.ts";

/**
 * The suite directory's own files: suite.json (the record), junit.xml, summary.md, index.html, and a copy of the
 * history file as it stands after this suite, so the directory (a CI artifact) is whole by itself and can serve as a
 * later --baseline. Each file is written on its own: one failing reporter is named and never stops the others.
 */

async function writeAtomically(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text, "utf8");
  await rename(`${path}.tmp`, path);
}

export interface SuiteReportFiles {
  written: string[];
  failures: { file: string; message: string }[];
}

export async function writeSuiteReports(
  suiteDir: string,
  suite: SuiteRecord,
  flakiness: readonly ScenarioFlakiness[],
  past: readonly SuiteRecord[],
  historyPath: string,
  log: Logger,
): Promise<SuiteReportFiles> {
  await mkdir(suiteDir, { recursive: true });
  const files: [string, () => string][] = [
    [SUITE_FILE, () => JSON.stringify(suite, null, 2) + "\n"],
    ["junit.xml", () => renderSuiteJunit(suite)],
    ["summary.md", () => renderSuiteSummary(suite, flakiness)],
    ["index.html", () => renderSuiteIndex(suite, flakiness, past)],
  ];
  const result: SuiteReportFiles = { written: [], failures: [] };
  for (const [file, render] of files) {
    try {
      await writeAtomically(join(suiteDir, file), render());
      result.written.push(file);
    } catch (error) {
      result.failures.push({ file, message: errorMessage(error) });
      log.warn(`suite reporter ${file} failed: ${errorMessage(error)}`);
    }
  }
  if (existsSync(historyPath)) {
    try {
      await copyFile(historyPath, join(suiteDir, HISTORY_FILE));
      result.written.push(HISTORY_FILE);
    } catch (error) {
      result.failures.push({ file: HISTORY_FILE, message: errorMessage(error) });
    }
  }
  return result;
}

/** havoc-results/latest-suite -> suites/<suite id> (relative, like havoc-results/latest). */
export async function pointLatestSuite(reportsDir: string, suiteDir: string): Promise<void> {
  const link = join(reportsDir, "latest-suite");
  await rm(link, { force: true });
  await symlink(relative(reportsDir, suiteDir), link);
}
