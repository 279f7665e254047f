import { ExitCode, errorMessage } from "../../core/errors.ts";
import type { History } from "../../core/history.ts";
import type { Scenario } from "../../core/scenario.ts";
import type { SloSpec } from "../../core/slo-spec.ts";
import { mergeVerdicts, SloResult, type Verdict } from "../../core/verdict.ts";
import { checkAvailability } from "./availability.ts";
import { checkConvergence } from "./convergence.ts";
import { checkDroppedIterations } from "./dropped-iterations.ts";
import { checkLatency } from "./latency.ts";
import { checkLongestOutage } from "./longest-outage.ts";
import { checkLostWrites } from "./lost-writes.ts";
import { checkRecoveryTime } from "./recovery-time.ts";
import { checkStaleReads } from "./stale-reads.ts";

function runCheck(slo: SloSpec, history: History): SloResult {
  switch (slo.kind) {
    case "availability":
      return checkAvailability(slo, history);
    case "lost-writes":
      return checkLostWrites(slo, history);
    case "longest-outage":
      return checkLongestOutage(slo, history);
    case "recovery-time":
      return checkRecoveryTime(slo, history);
    case "latency":
      return checkLatency(slo, history);
    case "stale-reads":
      return checkStaleReads(slo, history);
    case "dropped-iterations":
      return checkDroppedIterations(slo, history);
    case "convergence":
      return checkConvergence(slo, history);
  }
}

/**
 * Judges one SLO. A check that throws, or returns a malformed result, is verdict "error" with the message
 * as why: a crashing check never reads as a pass (Jepsen check-safe).
 */
export function evaluateSlo(slo: SloSpec, history: History): SloResult {
  try {
    return SloResult.parse(runCheck(slo, history));
  } catch (error) {
    return { id: slo.id, kind: slo.kind, verdict: "error", observed: null, target: "", unit: "", window: null, why: `check crashed: ${errorMessage(error)}` };
  }
}

/** One result per SLO of the scenario, in scenario order. */
export function evaluateSlos(scenario: Scenario, history: History): SloResult[] {
  return scenario.slos.map((slo) => evaluateSlo(slo, history));
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
