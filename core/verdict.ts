import { z } from "zod";

export const Verdict = z.enum(["pass", "fail", "unknown", "error"]);
export type Verdict = z.infer<typeof Verdict>;

const severity: Record<Verdict, number> = { pass: 0, unknown: 1, error: 2, fail: 3 };

/** Merge: fail > error > unknown > pass. No verdicts at all is unknown, never pass. */
export function mergeVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return "unknown";
  return verdicts.reduce((worst, v) => (severity[v] > severity[worst] ? v : worst), "pass" as Verdict);
}

/** The judgement of one SLO. */
export const SloResult = z.object({
  id: z.string(),
  kind: z.string(),
  verdict: Verdict,
  /** Observed value in `unit`, null when it could not be measured. */
  observed: z.number().nullable(),
  /** Human-readable target, e.g. ">= 99%". */
  target: z.string(),
  unit: z.string(),
  window: z.object({ label: z.string(), fromMs: z.number(), toMs: z.number() }).nullable(),
  /** One line: why it passed or failed. */
  why: z.string(),
});
export type SloResult = z.infer<typeof SloResult>;
