import { ExitCode } from "../core/errors.ts";
import type { HarnessCost } from "../core/harness-cost.ts";
import type { History } from "../core/history.ts";
import { mergeVerdicts, type SloResult, type Verdict } from "../core/verdict.ts";
import { summarizeDataLoss } from "./data-loss.ts";
import { RunReport, type ReportPlan, type RunStatus } from "./report-schema.ts";
import { exitCodeFor } from "./evaluate.ts";
import { summarizeTraffic } from "./traffic-summary.ts";

/** What the report repeats of the scenario (any validated scenario has it). */
export interface ReportedScenario {
  name: string;
  description: string;
  tags: readonly string[];
  expect: "pass" | "fail";
  expectFailing: readonly string[];
  traffic: readonly { name: string }[];
}

export interface BuildReportInput {
  scenario: ReportedScenario;
  history: History;
  slos: readonly SloResult[];
  status: RunStatus;
  /** Why the run was aborted, inconclusive or errored; null when completed. */
  reason: string | null;
  /** Wall-clock start and end of the whole run (setup to teardown). */
  startedAt: Date | string;
  finishedAt: Date | string;
  plan: ReportPlan;
  runId: string;
  harnessCost?: HarnessCost;
}

/**
 * What a non-completed run adds to the SLO verdicts: a run that did not finish can still fail (what was seen
 * failed), but it can never pass. error -> error; inconclusive, aborted, incomplete -> unknown.
 */
export function statusVerdict(status: RunStatus): Verdict | undefined {
  if (status === "completed") return undefined;
  return status === "error" || status === "invalid" ? "error" : "unknown";
}

function isoString(at: Date | string): string {
  return new Date(at).toISOString();
}

/**
 * Assembles report.json from the judged SLOs and the history, validated against the schema (a malformed
 * report is a harness bug and throws here, not in a reader's tool). `artifacts` starts empty; writeReports
 * fills it. The exit code follows the verdict; a runner stopped by a signal may overwrite it (130/143).
 */
export function buildReport(input: BuildReportInput): RunReport {
  const { scenario, history, plan } = input;
  const fromStatus = statusVerdict(input.status);
  const verdict = mergeVerdicts([...input.slos.map((s) => s.verdict), ...(fromStatus === undefined ? [] : [fromStatus])]);
  const startedAt = isoString(input.startedAt);
  const finishedAt = isoString(input.finishedAt);
  return RunReport.parse({
    schemaVersion: 1,
    runId: input.runId,
    scenario: scenario.name,
    description: scenario.description,
    tags: scenario.tags,
    expect: scenario.expect,
    expectFailing: scenario.expectFailing,
    seed: plan.seed,
    startedAt,
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)),
    trafficEndMs: history.trafficEndMs,
    verdict,
    // A scenario found wrong once running is bad input (exit 2) whatever the verdict rows say.
    exitCode: input.status === "invalid" ? ExitCode.invalidInput : exitCodeFor(verdict),
    status: input.status,
    reason: input.reason,
    void: history.controlLost ?? null,
    slos: input.slos,
    faults: history.faults.map((f) => ({
      id: f.id,
      kind: f.kind,
      targets: f.targets,
      ...(f.calledAtMs !== undefined ? { calledAt: f.calledAtMs } : {}),
      injectedAt: f.injectedAtMs,
      ...(f.healCalledAtMs !== undefined ? { healCalledAt: f.healCalledAtMs } : {}),
      healedAt: f.healedAtMs,
      mechanism: f.mechanism,
      notes: f.notes,
    })),
    dataLoss: summarizeDataLoss(history.writes),
    traffic: summarizeTraffic(history, scenario.traffic.map((t) => t.name)),
    // Copied field by field: the runner's Plan may hold more than a report should show.
    plan: { seed: plan.seed, faults: plan.faults.map((f) => ({ id: f.id, kind: f.kind, targets: f.targets, atMs: f.atMs, healAtMs: f.healAtMs })) },
    containerEvents: history.containerEvents.length,
    artifacts: [],
    harnessCost: input.harnessCost ?? null,
  });
}
