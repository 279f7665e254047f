import { readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { ExitCode } from "../../../core/errors.ts";
import type { History } from "../../../core/history.ts";
import type { SloResult } from "../../../core/verdict.ts";
import { buildReport } from "../../../judge/build-report.ts";
import { RunReport, type RunStatus } from "../../../judge/report-schema.ts";
import { writeReports } from "../../../reports/write-reports.ts";
import { ioFailureMessage } from "../../../core/io-failure.ts";
import type { RunState } from "../run-state.ts";
import { writeTimelinePng } from "../timeline-png.ts";

/**
 * Stage "reporting": report.json and every reporter's file (junit, summary, html, timeline PNG), `latest` pointed at
 * the run, and the exit code: the verdict's, or 130/143 after a signal.
 */
export async function report(run: RunState, judged: { history: History; slos: SloResult[] }, reportsDir: string): Promise<{ report: RunReport; exitCode: number }> {
  const { plan } = run;
  const built = buildReport({
    scenario: run.scenario,
    history: judged.history,
    slos: judged.slos,
    status: run.status,
    reason: run.reason ?? run.safety?.tripped ?? null,
    startedAt: run.startedAt,
    finishedAt: new Date(),
    runId: run.runId,
    ...(run.harnessCost ? { harnessCost: run.harnessCost } : {}),
    plan: { seed: plan.seed, faults: plan.faults.map(({ id, kind, targets, atMs, healAtMs }) => ({ id, kind, targets, atMs, healAtMs })) },
  });
  run.setPhase("reporting");
  // The exit code the process will return is the one the report states (and the table's last line prints).
  const exitCode = abortExitCode(run.status, run.signal) ?? (run.ioFailure !== undefined ? ExitCode.environment : built.exitCode);
  const { report: written, failures } = await writeReports(run.runDir, asHarnessError({ ...built, exitCode }, run.ioFailure), judged.history, run.log);
  if (failures.length > 0 && run.ioFailure === undefined) {
    // A reporter that failed did not stop the others (writeReports); the run still ends as the harness's error.
    const first = failures[0]!;
    run.harnessIoFailed(ioFailureMessage("write", join(run.runDir, first.file), first.error));
  }
  const png = await writeTimelinePng(run.runDir, run.log);
  const failedBefore = failures.length > 0;
  if (png.harnessFailure !== undefined) run.harnessIoFailed(png.harnessFailure);
  await pointLatest(reportsDir, run.runDir).catch((error: unknown) => run.log.warn(ioFailureMessage("point", join(reportsDir, "latest"), error)));
  // A reporter or the PNG failed, or a signal came while writing: the exit code changes after report.json was written.
  const finalExit = abortExitCode(run.status, run.signal) ?? (run.ioFailure !== undefined ? ExitCode.environment : written.exitCode);
  const late = failedBefore || png.harnessFailure !== undefined || finalExit !== written.exitCode;
  // A run interrupted even while writing its reports did not finish, and a run that did not finish never passes.
  const verdict = run.status === "aborted" && written.verdict === "pass" ? "unknown" : written.verdict;
  const shown = late ? asHarnessError({ ...written, verdict, exitCode: finalExit, status: run.status, reason: run.reason ?? written.reason }, run.ioFailure) : written;
  // Say it in report.json too, where it can still be written (not when the disk already refused the reports).
  if (late && !failedBefore) await amendReportJson(run, shown);
  run.events.write({ type: "run-finished", status: run.status, verdict: shown.verdict, exitCode: shown.exitCode });
  return { report: shown, exitCode: shown.exitCode };
}

async function amendReportJson(run: RunState, shown: RunReport): Promise<void> {
  const path = join(run.runDir, "report.json");
  try {
    const saved = RunReport.parse(JSON.parse(await readFile(path, "utf8")));
    await writeFile(`${path}.tmp`, JSON.stringify({ ...shown, artifacts: saved.artifacts }, null, 2) + "\n", "utf8");
    await rename(`${path}.tmp`, path);
  } catch (error) {
    run.log.warn(ioFailureMessage("amend", path, error));
  }
}

/**
 * A run whose harness could not keep its own record is an error (exit 3) whatever its SLO rows say: the rows stay
 * (what was seen), the verdict and the reason say the harness failed.
 */
function asHarnessError(report: RunReport, ioFailure: string | undefined): RunReport {
  if (ioFailure === undefined) return report;
  return { ...report, status: report.status === "aborted" ? "aborted" : "error", verdict: "error", reason: ioFailure };
}

/** 130 after SIGINT, 143 after SIGTERM (128 + signal number, as shells report it). */
function abortExitCode(status: RunStatus, signal: AbortSignal): number | undefined {
  if (status !== "aborted") return undefined;
  return signal.reason === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted;
}

/** <reports>/latest -> runs/<run id> (relative, so the folder can be moved or archived). */
async function pointLatest(reportsDir: string, runDir: string): Promise<void> {
  const link = join(reportsDir, "latest");
  await rm(link, { force: true });
  await symlink(relative(reportsDir, runDir), link);
}
