import { z } from "zod";
import { OpType } from "./workload-op.ts";

/**
 * What every checker returns, as zod schemas because the results go into report.json. The shapes follow Jepsen's
 * checkers (valid? true/false/:unknown) with the evidence kept small: one smallest witness per anomaly and counts.
 */

/** Bad input: never a PASS. `line` is the history file's 1-based line (an op's index + 1 when read from ops). */
export const Problem = z.object({ line: z.number().int().min(0), message: z.string() });
export type Problem = z.infer<typeof Problem>;

export const Verdict = z.enum(["pass", "fail", "unknown"]);
export type Verdict = z.infer<typeof Verdict>;

/**
 * The isolation level a history is held to. Which anomalies each forbids follows Elle's consistency-model graph
 * (list-append/anomaly-names.ts holds the table); the strong/strict variants add process and realtime edges.
 */
export const ConsistencyModel = z.enum([
  "read-committed",
  "repeatable-read",
  "snapshot-isolation",
  "serializable",
  "strong-snapshot-isolation",
  "strict-serializable",
]);
export type ConsistencyModel = z.infer<typeof ConsistencyModel>;

/** A transaction named in a witness, as recorded (T<index> in the prose is this op's index). */
export const WitnessTxn = z.object({
  index: z.number().int(),
  process: z.number().int(),
  type: OpType,
  invokeMs: z.number(),
  completeMs: z.number().nullable(),
  value: z.unknown(),
});
export type WitnessTxn = z.infer<typeof WitnessTxn>;

export const EdgeType = z.enum(["ww", "wr", "rw", "process", "realtime"]);
export type EdgeType = z.infer<typeof EdgeType>;

/** One dependency: `from` must precede `to` in any serial order the model allows; `why` says how we know. */
export const WitnessEdge = z.object({ from: z.number().int(), to: z.number().int(), type: EdgeType, why: z.string() });
export type WitnessEdge = z.infer<typeof WitnessEdge>;

/**
 * The smallest evidence found for one anomaly. For a cycle, `edges` walk it from its lowest-index transaction back
 * to that transaction; for the other anomalies `edges` is empty and `summary` says what was seen.
 */
export const Witness = z.object({ summary: z.string(), txns: z.array(WitnessTxn), edges: z.array(WitnessEdge) });
export type Witness = z.infer<typeof Witness>;

export const Anomaly = z.object({
  /** Elle's name: G0, G1a, G1b, G1c, G-single, G-nonadjacent, G2-item (+ "-process" / "-realtime"), lost-update, ... */
  name: z.string(),
  /** How many cases; what a case is depends on the anomaly (see the checker's doc comment). */
  count: z.number().int().min(1),
  /** true when the model permits it: reported, but it does not fail the check. */
  allowed: z.boolean(),
  witness: Witness,
});
export type Anomaly = z.infer<typeof Anomaly>;

export const ConsistencyResult = z.object({
  verdict: Verdict,
  model: ConsistencyModel,
  /** One line: what failed, or why the verdict is unknown, or what passed. */
  why: z.string(),
  opsChecked: z.number().int().min(0),
  anomalies: z.array(Anomaly),
  problems: z.array(Problem),
  elapsedMs: z.number().min(0),
});
export type ConsistencyResult = z.infer<typeof ConsistencyResult>;

/** How many problems a `why` line quotes before "and N more". */
export const PROBLEMS_IN_WHY = 3;

/** "line 4: value[1]: expected ...; line 9: ... (and 12 more)". */
export function describeProblems(problems: readonly Problem[]): string {
  const shown = problems.slice(0, PROBLEMS_IN_WHY).map((p) => `line ${p.line}: ${p.message}`);
  const more = problems.length > PROBLEMS_IN_WHY ? ` (and ${problems.length - PROBLEMS_IN_WHY} more)` : "";
  return `bad input: ${shown.join("; ")}${more}`;
}
