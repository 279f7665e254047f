import { z } from "zod";
import { DurationMs } from "../../core/duration.ts";
import { NodeName } from "../../core/topology.ts";

/**
 * Fields every readback kind has (where to read, convergence, retries) and those of the SQL stores.
 */
/** Where a readback reads: a fixed node, or whichever node of `role` is primary at readback time (the role probe). */
export const ReadFrom = z.union([
  z.object({ node: NodeName }).strict(),
  z.object({ primaryOf: z.string().min(1) }).strict(),
]);
export type ReadFrom = z.infer<typeof ReadFrom>;

export const readbackCommon = {
  /** Traffic class whose write ledger is compared. */
  traffic: z.string().min(1),
  /** Node to read from. Use `from` instead to read the current primary of a role. */
  node: NodeName.optional(),
  /** `{ node }` or `{ primaryOf: role }` (the topology's role probe picks the node at readback time). */
  from: ReadFrom.optional(),
  /**
   * Convergence: after the fault-free tail, read the same ids from every node listed (or every node of the role)
   * too; a node whose set differs from the primary's is named with the ids it lacks or has extra (the
   * `convergence` SLO). Each node must publish `port`.
   */
  convergence: z.union([z.object({ role: z.string().min(1) }).strict(), z.object({ nodes: z.array(NodeName).min(1) }).strict()]).optional(),
  /** How long an unreachable store is retried before the readback is given up as unknown. Default 60 s. */
  retryFor: DurationMs.default(60_000),
};

/** What an SQL store's readback names: where to log in, and the query whose first column is the stored ids. */
export const sqlFields = {
  database: z.string().min(1),
  user: z.string().min(1),
  /** May be `${secret:NAME}`. */
  password: z.string(),
  /** Returns the ids of stored writes in its first column. */
  idsQuery: z.string().min(1),
};

/** The node or role a readback reads from, as written. */
export function readbackFrom(readback: { node?: string | undefined; from?: ReadFrom | undefined }): ReadFrom | undefined {
  return readback.from ?? (readback.node !== undefined ? { node: readback.node } : undefined);
}
