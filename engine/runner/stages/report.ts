import { rm, symlink } from "node:fs/promises";
import { join, relative } from "node:path";
import { ExitCode } from "../../../core/errors.ts";
import type { History } from "../../../core/history.ts";
import type { SloResult } from "../../../core/verdict.ts";
import { buildReport } from "../../../judge/build-report.ts";
import type { RunReport, RunStatus } from "../../../judge/report-schema.ts";
import { rewriteReportJson, writeReports } from "../../../reports/write-reports.ts";
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
  const exitNow = (verdictExit: number) => abortExitCode(run.status, run.signal) ?? (run.ioFailure !== undefined ? ExitCode.environment : verdictExit);
  const { report: written, failures } = await writeReports(run.runDir, asHarnessError({ ...built, exitCode: exitNow(built.exitCode) }, run.ioFailure), judged.history, run.log);
  // A reporter that failed did not stop the others (writeReports); the run still ends as the harness's error.
  const first = failures[0];
  if (first) run.harnessIoFailed(ioFailureMessage("write", join(run.runDir, first.file), first.error));
  const png = await writeTimelinePng(run.runDir, run.log);
  if (png.harnessFailure !== undefined) run.harnessIoFailed(png.harnessFailure);
  await pointLatest(reportsDir, run.runDir).catch((error: unknown) => run.log.warn(ioFailureMessage("point", join(reportsDir, "latest"), error)));
  // A reporter or the PNG failed, or a signal came while writing: the exit code changes after report.json was written.
  const finalExit = exitNow(written.exitCode);
  const late = first !== undefined || png.harnessFailure !== undefined || finalExit !== written.exitCode;
  // A run interrupted even while writing its reports did not finish, and a run that did not finish never passes.
  const verdict = run.status === "aborted" && written.verdict === "pass" ? "unknown" : written.verdict;
  const shown = late ? asHarnessError({ ...written, verdict, exitCode: finalExit, status: run.status, reason: run.reason ?? written.reason }, run.ioFailure) : written;
  // Say it in report.json too, where it can still be written (not when the disk already refused the reports).
  if (late && first === undefined) {
    await rewriteReportJson(run.runDir, (saved) => ({ ...shown, artifacts: saved.artifacts })).catch((error: unknown) => run.log.warn(ioFailureMessage("amend", join(run.runDir, "report.json"), error)));
  }
  run.events.write({ type: "run-finished", status: run.status, verdict: shown.verdict, exitCode: shown.exitCode });
  return { report: shown, exitCode: shown.exitCode };
}

/**
 * A run whose harness could not keep its own record is an error (exit 3) whatever its SLO rows say: the rows stay
 * (what was seen), the verdict and the reason say the harness failed.
 */
function asHarnessError(report: RunReport, ioFailure: string | undefined): RunReport {
  if (ioFailure === undefined) return report;
  return { ...report, status: report.status === "aborted" ? "aborted" : "error", verdict: "error", reason: ioFailure };
}

/**
 * 130 after SIGINT, 143 after SIGTERM (128 + signal number, as shells report it), whenever the signal came: also
 * after the run had already ended otherwise (inconclusive, an error) and was interrupted while writing its reports
 * (the campaign found such a run returning 4 to a SIGTERM; the contract says 143).
 */
function abortExitCode(status: RunStatus, signal: AbortSignal): number | undefined {
  if (status !== "aborted" && !signal.aborted) return undefined;
  return signal.reason === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted;
}

/** <reports>/latest -> runs/<run id> (relative, so the folder can be moved or archived). */
async function pointLatest(reportsDir: string, runDir: string): Promise<void> {
  const link = join(reportsDir, "latest");
  await rm(link, { force: true });
  await symlink(relative(reportsDir, runDir), link);
}
