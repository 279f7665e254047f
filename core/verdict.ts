import { z } from "zod";

export const Verdict = z.enum(["pass", "fail", "unknown", "error"]);
export type Verdict = z.infer<typeof Verdict>;

const severity: Record<Verdict, number> = { pass: 0, unknown: 1, error: 2, fail: 3 };

/** Merge: fail > error > unknown > pass. No verdicts at all is unknown, never pass. */
export function mergeVerdicts(verdicts: readonly Verdict[]): Verdict {
  if (verdicts.length === 0) return "unknown";
  return verdicts.reduce((worst, v) => (severity[v] > severity[worst] ? v : worst), "pass" as Verdict);
}

/** One op named as evidence (ms from traffic start). */
export const OpBound = z.object({ startMs: z.number(), endMs: z.number(), ok: z.boolean() });

/** The ops that bound a timed result: the last ok answer before, the first failed op, the first ok answer after. */
export const OpBounds = z.object({ lastOkBefore: OpBound.nullable(), firstNotOk: OpBound.nullable(), firstOkAfter: OpBound.nullable() });
export type OpBounds = z.infer<typeof OpBounds>;

/**
 * What a consistency SLO's checker found (judge/checkers/result.ts's ConsistencyResult, restated here because core
 * imports nothing of ours): every anomaly with its count and smallest witness (transactions and the edges of its
 * cycle, each edge with why it holds), and the history's problems when the verdict is unknown for bad input.
 */
export const ConsistencyEvidence = z.object({
  model: z.string(),
  opsChecked: z.number().int(),
  elapsedMs: z.number(),
  anomalies: z.array(
    z.object({
      name: z.string(),
      count: z.number().int(),
      allowed: z.boolean(),
      witness: z.object({
        summary: z.string(),
        txns: z.array(z.object({ index: z.number().int(), process: z.number().int(), type: z.string(), invokeMs: z.number(), completeMs: z.number().nullable(), value: z.unknown() })),
        edges: z.array(z.object({ from: z.number().int(), to: z.number().int(), type: z.string(), why: z.string() })),
      }),
    }),
  ),
  problems: z.array(z.object({ line: z.number().int(), message: z.string() })),
  /** The history file read, relative to the run directory. */
  historyFile: z.string(),
});
export type ConsistencyEvidence = z.infer<typeof ConsistencyEvidence>;

/**
 * What a linearizable SLO's checker found per key (judge/checkers/linearizable-result.ts, restated because core
 * imports nothing of ours): every key's outcome, the op a failing key's search could not get past, and the
 * visualization file Porcupine drew for it (relative to the run directory).
 */
export const LinearizableEvidence = z.object({
  historyFile: z.string(),
  opsChecked: z.number().int(),
  elapsedMs: z.number(),
  maxMsPerKey: z.number(),
  keys: z.array(
    z.object({
      key: z.string(),
      result: z.string(),
      ops: z.number().int(),
      elapsedMs: z.number(),
      visualization: z.string().nullable(),
      /** History index of the op the longest linearizable prefix could not get past (illegal keys). */
      unlinearizableOp: z.number().int().optional(),
      reason: z.string().optional(),
    }),
  ),
  /** The ops of the first non-linearizable key around where its search got stuck (the witness). */
  witness: z.array(z.object({ index: z.number().int(), process: z.number().int(), f: z.string(), type: z.string(), invokeMs: z.number(), completeMs: z.number().nullable(), value: z.unknown() })),
  problems: z.array(z.object({ line: z.number().int(), message: z.string() })),
});
export type LinearizableEvidence = z.infer<typeof LinearizableEvidence>;

/** What a bank SLO's checker found (judge/checkers/bank.ts's BankResult, restated): counts and the first bad read. */
export const BankEvidence = z.object({
  historyFile: z.string(),
  accounts: z.number().int(),
  initialTotal: z.number(),
  readsChecked: z.number().int(),
  badReads: z.number().int(),
  badReadCounts: z.object({ wrongTotal: z.number().int(), negative: z.number().int(), missingAccount: z.number().int(), unexpectedAccount: z.number().int() }),
  firstBad: z.object({ index: z.number().int(), line: z.number().int(), total: z.number(), expected: z.number(), balances: z.record(z.string(), z.number()), reasons: z.array(z.string()) }).nullable(),
  problems: z.array(z.object({ line: z.number().int(), message: z.string() })),
  elapsedMs: z.number(),
});
export type BankEvidence = z.infer<typeof BankEvidence>;

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
  /** For outage and failover times measured from ops: the ops that bound it. */
  bounds: OpBounds.optional(),
  /** For a consistency SLO: the anomalies found, with counts and witnesses. */
  consistency: ConsistencyEvidence.optional(),
  /** For a linearizable SLO: every key's outcome and the failing key's witness and visualization. */
  linearizable: LinearizableEvidence.optional(),
  /** For a bank SLO: bad read counts and the first bad read. */
  bank: BankEvidence.optional(),
  /**
   * Set when the experiment is void (the harness lost control of the run): the verdict is then "error" whatever
   * was observed, and `fromMs` says from when the record stops being trustworthy (null: from the start).
   */
  void: z.object({ reason: z.string(), fromMs: z.number().nullable() }).optional(),
});
export type SloResult = z.infer<typeof SloResult>;
