import { mergeVerdicts, type SloResult, type Verdict } from "../../core/verdict.ts";
import type { RunStatus } from "../../judge/report-schema.ts";

/**
 * What a suite counts for one run: the raw verdict, turned around for a control (`expect: "fail"`). A control that
 * fails as designed counts as passed; one that passes means the harness no longer catches the fault it was built
 * around, which is the loudest failure a suite can report.
 */

/** What the judgement reads: a RunReport has it, and so does a suite's record of a run. */
export interface JudgedReport {
  verdict: Verdict;
  status: RunStatus;
  expect: "pass" | "fail";
  expectFailing: readonly string[];
  slos: readonly Pick<SloResult, "id" | "verdict" | "why">[];
}

export interface SloOutcome {
  id: string;
  /** The SLO's own verdict. */
  raw: Verdict;
  /** What the suite counts: an expected failure of a control counts as pass, a miss as fail. */
  counted: Verdict;
  /** The control expects this SLO to fail. */
  expectedToFail: boolean;
  /** One line for CI pages. */
  message: string;
}

export interface ExpectationOutcome {
  /** The verdict the suite counts for this run. */
  verdict: Verdict;
  /** One line: why it counts as it does ("" for an ordinary scenario that passed). */
  note: string;
  /** A control that passed (or missed the SLO it must fail): the suite says so in capitals. */
  loud: boolean;
  /** For a control, whether it caught its fault, apart from its other SLOs: pass = caught; null for other scenarios. */
  control: Verdict | null;
  slos: SloOutcome[];
}

/** For a control that passed: its headline, kept in one place so every reporter says the same. */
export const CONTROL_PASSED = "CONTROL PASSED";

function outcomeOf(slo: Pick<SloResult, "id" | "verdict" | "why">, expectedToFail: boolean): SloOutcome {
  if (!expectedToFail) return { id: slo.id, raw: slo.verdict, counted: slo.verdict, expectedToFail, message: slo.why };
  if (slo.verdict === "fail") return { id: slo.id, raw: slo.verdict, counted: "pass", expectedToFail, message: `failed as the control expects: ${slo.why}` };
  if (slo.verdict === "pass")
    return { id: slo.id, raw: slo.verdict, counted: "fail", expectedToFail, message: `${CONTROL_PASSED}: expected to FAIL, it passed: ${slo.why}` };
  return { id: slo.id, raw: slo.verdict, counted: slo.verdict, expectedToFail, message: `expected to fail, undecided (${slo.verdict}): ${slo.why}` };
}

export function judgeExpectation(report: JudgedReport): ExpectationOutcome {
  if (report.expect === "pass") {
    return { verdict: report.verdict, note: "", loud: false, control: null, slos: report.slos.map((s) => outcomeOf(s, false)) };
  }
  // A control proves something only when it ran to the end: a run that errored or was cut short may have "failed"
  // for the harness's own reasons.
  if (report.status !== "completed") {
    const verdict: Verdict = report.status === "error" ? "error" : "unknown";
    return { verdict, note: `control did not complete (${report.status}): nothing proven`, loud: false, control: verdict, slos: report.slos.map((s) => outcomeOf(s, false)) };
  }
  const named = report.expectFailing.length > 0;
  const expected = new Set(named ? report.expectFailing : report.slos.filter((s) => s.verdict === "fail").map((s) => s.id));
  const slos = report.slos.map((s) => outcomeOf(s, expected.has(s.id)));
  const controlSlos = slos.filter((s) => s.expectedToFail);
  const missed = controlSlos.filter((s) => s.raw === "pass").map((s) => s.id);
  const others = slos.filter((s) => !s.expectedToFail);
  if (!named && controlSlos.length === 0) {
    // Nothing failed. Undecided SLOs leave it open; a clean pass is the control passing.
    if (report.verdict !== "pass") return { verdict: report.verdict, note: "control expected to fail, no SLO failed, some undecided", loud: false, control: "unknown", slos };
    return { verdict: "fail", note: `${CONTROL_PASSED}: expected FAIL, every SLO passed: the harness no longer catches this fault`, loud: true, control: "fail", slos };
  }
  const verdict = mergeVerdicts(slos.map((s) => s.counted));
  if (missed.length > 0)
    return { verdict: "fail", note: `${CONTROL_PASSED}: expected ${missed.join(", ")} to FAIL, passed: the harness no longer catches this fault`, loud: true, control: "fail", slos };
  const caught = controlSlos.filter((s) => s.raw === "fail").map((s) => s.id);
  const unexpected = others.filter((s) => s.raw === "fail").map((s) => s.id);
  const control = mergeVerdicts(controlSlos.map((s) => s.counted));
  const notPassed = (list: SloOutcome[]) => list.filter((s) => s.counted !== "pass").map((s) => `${s.id} ${s.counted}`).join(", ");
  const note =
    control !== "pass"
      ? `control undecided: ${notPassed(controlSlos)}`
      : unexpected.length > 0
        ? `control failed as expected (${caught.join(", ")}), but also ${unexpected.join(", ")}`
        : verdict === "pass"
          ? `control failed as expected: ${caught.join(", ")}`
          : `control failed as expected (${caught.join(", ")}); not decided: ${notPassed(others)}`;
  return { verdict, note, loud: false, control, slos };
}
