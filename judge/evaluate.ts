import { formatSeconds } from "../core/duration.ts";
import { ExitCode, errorMessage } from "../core/errors.ts";
import type { History } from "../core/history.ts";
import { sloKind, type SloSpec } from "./slo-kinds.ts";
import type { JudgeContext } from "./slo-kind.ts";
import { mergeVerdicts, SloResult, type Verdict } from "../core/verdict.ts";

/**
 * Judges one SLO. A check that throws, or returns a malformed result, is verdict "error" with the message
 * as why: a crashing check never reads as a pass (Jepsen check-safe).
 */
export async function evaluateSlo(slo: SloSpec, history: History, ctx: JudgeContext = {}): Promise<SloResult> {
  try {
    return SloResult.parse(await sloKind(slo).judge(slo, history, ctx));
  } catch (error) {
    return { id: slo.id, kind: slo.kind, verdict: "error", observed: null, target: "", unit: "", window: null, why: `check crashed: ${errorMessage(error)}` };
  }
}

/**
 * One result per SLO of the scenario, in scenario order, then one failed row per node the system never brought
 * back after a heal (`<fault>-node-ready`). When the harness lost control of the run, every row is void: verdict
 * error, whatever it observed, with the reason and the time from which the record is not to be trusted.
 */
export async function evaluateSlos(slos: readonly SloSpec[], history: History, ctx: JudgeContext = {}): Promise<SloResult[]> {
  const judged: SloResult[] = [];
  // One at a time: a checker may start a process (a linearizability search) that needs the machine to itself.
  for (const slo of slos) judged.push(await evaluateSlo(slo, history, ctx));
  const results = [...judged, ...nodeReadyFailures(history)];
  return history.controlLost ? results.map((r) => voided(r, history.controlLost!)) : results;
}

/**
 * A heal whose restarted node never became ready, or a step whose condition never held (`<step>-when`): the
 * system's failure, judged as such.
 */
function nodeReadyFailures(history: History): SloResult[] {
  return history.faults.flatMap((f) => {
    if (f.systemFailure === undefined) return [];
    if (f.trigger && f.trigger.heldAtMs === null)
      return [{ id: `${f.id}-when`, kind: "step-condition", verdict: "fail" as const, observed: null, target: `${f.trigger.condition} in time`, unit: "", window: null, why: f.systemFailure }];
    return [{ id: `${f.id}-node-ready`, kind: "node-ready", verdict: "fail" as const, observed: null, target: "ready after heal", unit: "", window: null, why: f.systemFailure }];
  });
}

export function voided(result: SloResult, lost: NonNullable<History["controlLost"]>): SloResult {
  const from = lost.fromMs === null ? "from the start" : `from ${formatSeconds(lost.fromMs)}`;
  return { ...result, verdict: "error", void: lost, why: `VOID (${lost.reason}; the record is not trustworthy ${from}); would have been ${result.verdict.toUpperCase()}: ${result.why}` };
}

/** fail > error > unknown > pass; no SLOs at all is unknown. */
export function runVerdict(results: readonly SloResult[]): Verdict {
  return mergeVerdicts(results.map((r) => r.verdict));
}

/** Exit code of `havoc run` for a verdict: pass 0, fail 1, error 3, unknown 4. */
export function exitCodeFor(verdict: Verdict): ExitCode {
  const codes = { pass: ExitCode.pass, fail: ExitCode.sloFailed, error: ExitCode.environment, unknown: ExitCode.inconclusive } as const;
  return codes[verdict];
}
