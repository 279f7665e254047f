import type { z } from "zod";
import type { RunSecrets } from "../secrets.ts";

/**
 * What one read of a store gave:
 * - ok: the ids it holds;
 * - store-lost: the store answered but no longer holds what it did (missing table or key space, wrong database):
 *   every acknowledged write is lost, and the lost-writes SLO fails;
 * - unreachable: the store could not be asked (refused, timeout, still starting, not in the primary component):
 *   retried for the readback's `retryFor`, then unknown.
 */
export type ReadOutcome = { kind: "ok"; ids: string[] } | { kind: "store-lost"; why: string } | { kind: "unreachable"; why: string };

/** One node's published port, checked against the traffic rule before the call. */
export interface ReadTarget {
  node: string;
  /** 127.0.0.1, or the address of the declared host the node runs on. */
  address: string;
  hostPort: number;
}

/** Connection and query deadline of one attempt, ms: a read must end even when the store hangs. */
export const READ_ATTEMPT_TIMEOUT_MS = 10_000;

/** One store kind (env/readback/<kind>.ts): a single attempt, its errors classified, never thrown. */
export interface ReadbackKind<R extends { kind: string } = { kind: string }> {
  /** The readback's fields (a zod object with `kind` as a literal and readback-fields.ts's common fields). */
  schema: z.ZodType<R, unknown>;
  readOnce(spec: R, target: ReadTarget, secrets: RunSecrets): Promise<ReadOutcome>;
  /** What is read, for messages: the query, the key or the path. */
  describe(spec: R): string;
}
