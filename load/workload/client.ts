import type { ListAppendMop } from "../../core/workload-op.ts";

/**
 * What a `workload` traffic class asks of a system's client module (its default export). The harness drives the
 * transactions and records the history; the module only talks to the database, as Jepsen's clients do.
 */

/** Where one client connects and how it is configured (the class's `clientOptions`, secrets resolved). */
export interface WorkloadClientContext {
  /**
   * 127.0.0.1 and the published port of the class's target; with `servers`, of the server this process's slot is
   * bound to (slot i of `concurrency`: servers[i mod n], Jepsen's one node per process).
   */
  host: string;
  port: number;
  /** The node name of that target (a container of the run). */
  node: string;
  /**
   * Every server of the class in list order (just the target without `servers`): for a client that finds the
   * primary itself, e.g. by asking each server its role.
   */
  servers: readonly WorkloadServer[];
  /** The Jepsen process this connection serves (a new one after an unknown outcome). */
  process: number;
  options: Readonly<Record<string, string | number | boolean>>;
  /** The class's per-transaction timeout, ms (the harness gives up after it and records the op as info). */
  timeoutMs: number;
}

/** One server a workload class knows: its node name and where the host reaches it. */
export interface WorkloadServer {
  node: string;
  host: string;
  port: number;
}

/** How one transaction ended, as the client can tell. */
export type TxnOutcome =
  /** Committed: the micro-ops with every read's list filled in. */
  | { type: "ok"; value: ListAppendMop[]; node?: string }
  /**
   * Definitely not committed (rolled back, refused, serialization failure): `cause` is a short code, e.g. "40001".
   * `reconnect`: the connection is broken (the harness opens a new one for the same process, the outcome being known).
   */
  | { type: "fail"; cause: string; error: string; reconnect?: boolean }
  /** Unknown (the connection broke while COMMIT was in flight): the harness retires the process. */
  | { type: "info"; cause: string; error: string };

export interface ListAppendClient {
  /** Runs one transaction of appends and reads (reads given as ["r", key, null]). Should not throw; a throw is info. */
  txn(mops: readonly ListAppendMop[]): Promise<TxnOutcome>;
  /** Releases the connection; may be called while a transaction is in flight (after a timeout). */
  close(): Promise<void>;
}

/** A list-append client module's default export. */
export interface ListAppendClientModule {
  /** Once before any process starts (create the table). Retried by the harness until it succeeds or traffic ends. */
  setup?(ctx: WorkloadClientContext): Promise<void>;
  /** One connection for one process. A throw is retried after a pause (the database may be down). */
  open(ctx: WorkloadClientContext): Promise<ListAppendClient>;
}
