import { compareReports, type ComparableRun, type CompareOptions, type Comparison } from "../../judge/compare.ts";
import { formatObserved } from "../../core/format.ts";
import type { RegressionMark, ScenarioRunRecord, SuiteRecord } from "./suite-record.ts";

/**
 * "Is this new, or has it always failed?": each run is compared (reports/compare.ts, the same rules as
 * `havoc compare`) with the last run of the same scenario that the suite counted as passed. Without --baseline the
 * result is a mark in the reports; with it, a regression fails the suite.
 */

export interface PastRun {
  suite: Pick<SuiteRecord, "suiteId" | "startedAt">;
  run: ScenarioRunRecord;
}

/** The newest run of `scenario` that counted as passed, among records given oldest first. */
export function lastPassingRun(records: readonly SuiteRecord[], scenario: string): PastRun | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const suite = records[i]!;
    // Within a suite, the last repeat that passed.
    const run = suite.runs.filter((r) => r.scenario === scenario && r.suiteVerdict === "pass").at(-1);
    if (run) return { suite, run };
  }
  return undefined;
}

/**
 * A run as `compareReports` reads it. A control's expected failures are left out (their values are bad by design
 * and vary with how long the fault lasted; that they still fail is the expectation's job), and so is its traffic,
 * whose availability and latency the fault dominates: only its other SLOs (lost writes, recovery) are compared.
 */
export function comparable(run: ScenarioRunRecord, leaveOut: ReadonlySet<string> = new Set()): ComparableRun {
  return {
    runId: run.runId,
    // What the suite counted: a control that failed as designed compares as a pass, so "pass -> fail" means what it
    // means for any scenario.
    verdict: run.suiteVerdict,
    slos: run.slos.filter((s) => !leaveOut.has(s.id)),
    traffic: run.expect === "fail" ? {} : run.traffic,
  };
}

function controlSlos(...runs: ScenarioRunRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const run of runs) {
    if (run.expect !== "fail") continue;
    const named = run.expectFailing.length > 0 ? run.expectFailing : run.slos.filter((s) => s.verdict === "fail").map((s) => s.id);
    for (const id of named) ids.add(id);
  }
  return ids;
}

/** The regressed rows of a comparison, one line each. */
export function findings(c: Comparison): string[] {
  const lines: string[] = [];
  if (c.verdictRegression) lines.push(`verdict ${c.baseline.verdict} -> ${c.candidate.verdict}`);
  for (const s of c.slos.filter((s) => s.regression))
    lines.push(`${s.id}: ${formatObserved(s.baseline, s.unit)} -> ${formatObserved(s.candidate, s.unit)}${s.note ? ` (${s.note})` : ""}`);
  for (const t of c.traffic) {
    if (t.availability.regression) lines.push(`${t.traffic} availability: ${formatObserved(t.availability.baseline, "%")} -> ${formatObserved(t.availability.candidate, "%")}`);
    for (const q of ["p50", "p95", "p99"] as const)
      if (t[q].regression) lines.push(`${t.traffic} ${q}: ${formatObserved(t[q].baseline, "ms")} -> ${formatObserved(t[q].candidate, "ms")}`);
  }
  return lines;
}

export function markRegression(candidate: ScenarioRunRecord, past: PastRun, source: "history" | "baseline", options: CompareOptions = {}): RegressionMark {
  const leaveOut = controlSlos(candidate, past.run);
  const comparison = compareReports(comparable(past.run, leaveOut), comparable(candidate, leaveOut), options);
  return {
    against: { suiteId: past.suite.suiteId, runId: past.run.runId, startedAt: past.suite.startedAt, source },
    regressed: comparison.regressed,
    findings: findings(comparison),
    gating: source === "baseline",
  };
}

/**
 * Marks every run of this suite against `past` (history before this suite, or the --baseline's records). Only a run
 * that completed is compared: one whose steady-state gate failed, or that was aborted or crashed, stopped its traffic
 * early, and its figures cover another window.
 */
export function markRegressions(runs: readonly ScenarioRunRecord[], past: readonly SuiteRecord[], source: "history" | "baseline", options: CompareOptions = {}): ScenarioRunRecord[] {
  return runs.map((run) => {
    if (run.status !== "completed" || run.runId === "-") return run;
    const earlier = lastPassingRun(past, run.scenario);
    return earlier ? { ...run, regression: markRegression(run, earlier, source, options) } : run;
  });
}
