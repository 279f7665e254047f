import { formatDurationMs } from "./duration-ms.ts";
import { describeFault, type ShrinkPlan } from "./shrink-plan.ts";

export type ShrinkMoveKind = "original" | "drop" | "shorten" | "earlier" | "narrow";

/** One candidate tried: every run of it, so the log shows its failure rate. */
export interface ShrinkStep {
  /** 1-based, in the order tried. */
  index: number;
  move: ShrinkMoveKind;
  description: string;
  /** summarizePlan of the candidate. */
  candidate: string;
  faults: number;
  runs: number;
  /** Runs that failed with the target signature. */
  failures: number;
  /** Signatures of the failing runs that did not match the target (another failure than the one shrunk). */
  otherSignatures: string[];
  /** It still fails: the shrink continues from it. */
  accepted: boolean;
  /** The budget ran out before its repeats were done. */
  cutShort: boolean;
}

export interface ShrinkResult {
  /** The smallest plan found that still fails (the original when it never reproduced). */
  plan: ShrinkPlan;
  original: ShrinkPlan;
  /** The original failed at least once in its repeats. Without that there is nothing to shrink. */
  reproduced: boolean;
  /** The signature every candidate was compared with; undefined when the original never failed. */
  targetSignature: string | undefined;
  /** No single move keeps it failing (1-minimal); false when the budget or Ctrl-C stopped the shrink first. */
  complete: boolean;
  /** Ctrl-C (the signal) stopped it, not the budget. */
  interrupted?: boolean;
  steps: ShrinkStep[];
  runs: number;
  wallMs: number;
}

/** The shrink as readable text: each candidate with k/n failing, then the plan it ended with. */
export function formatShrinkLog(result: ShrinkResult): string {
  const outcome = !result.reproduced ? "the original plan did not fail; nothing shrunk" : result.complete ? "1-minimal" : result.interrupted ? "interrupted (not minimal)" : "stopped by the budget (not minimal)";
  const lines = [
    `Shrink: ${result.original.faults.length} -> ${result.plan.faults.length} faults in ${result.runs} runs (${formatDurationMs(result.wallMs)}); ${outcome}`,
    `  signature: ${result.targetSignature ?? "-"}`,
    "",
  ];
  const width = String(result.steps.length).length;
  for (const step of result.steps) {
    const verdict = step.accepted ? "still fails" : "passes";
    const rate = `${step.failures}/${step.runs}${step.cutShort ? " (cut short)" : ""}`;
    const other = step.otherSignatures.length > 0 ? ` [other failure: ${[...new Set(step.otherSignatures)].join("; ")}]` : "";
    lines.push(`  #${String(step.index).padStart(width)} ${step.move.padEnd(8)} ${rate.padEnd(5)} ${verdict.padEnd(11)} ${step.description}${other}`);
  }
  lines.push("", `  ${result.complete ? "minimal" : "best"} plan (${result.plan.faults.length} faults):`, ...result.plan.faults.map((f) => `    ${describeFault(f)}`));
  return lines.join("\n");
}
