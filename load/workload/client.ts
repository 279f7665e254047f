import type { ListAppendMop } from "../../core/workload-op.ts";

/**
 * What a `workload` traffic class asks of a system's client module (its default export), one interface per
 * workload kind (list-append, register, bank). The harness generates the ops and records the history; the module
 * only talks to the database, as Jepsen's clients do.
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
  /** The class's per-op timeout, ms (the harness gives up after it and records the op as info). */
  timeoutMs: number;
  /** Bank workloads only: the accounts and what each holds before the first transfer (setup creates them). */
  bank?: BankSetup;
}

/** One server a workload class knows: its node name and where the host reaches it. */
export interface WorkloadServer {
  node: string;
  host: string;
  port: number;
}

/** How one op ended, as the client can tell. `T` is what an ok op returns (a read's value). */
export type OpOutcome<T> =
  | { type: "ok"; value: T; node?: string }
  /**
   * Definitely did not take effect (rolled back, refused, serialization failure): `cause` is a short code, e.g.
   * "40001", `error` the driver's message. No `error` means the database answered "no" as a normal result (a
   * compare-and-set whose comparison did not match, a transfer refused for want of funds): the checker treats it
   * as an observation, and the timeline counts it as an answered request.
   * `reconnect`: the connection is broken (the harness opens a new one for the same process, the outcome being known).
   */
  | { type: "fail"; cause: string; error?: string; reconnect?: boolean }
  /** Unknown (the connection broke while COMMIT was in flight): the harness retires the process. */
  | { type: "info"; cause: string; error: string };

/** How one list-append transaction ended: ok carries the micro-ops with every read's list filled in. */
export type TxnOutcome =
  | { type: "ok"; value: ListAppendMop[]; node?: string }
  | { type: "fail"; cause: string; error: string; reconnect?: boolean }
  | { type: "info"; cause: string; error: string };

/** Every client releases its connection; close() may be called while an op is in flight (after a timeout). */
export interface ClosableClient {
  close(): Promise<void>;
}

/** A client module: `setup` once (create tables), `open` one connection per process. */
export interface WorkloadClientModule<C extends ClosableClient> {
  /** Once before any process starts (create the table). Retried by the harness until it succeeds or traffic ends. */
  setup?(ctx: WorkloadClientContext): Promise<void>;
  /** One connection for one process. A throw is retried after a pause (the database may be down). */
  open(ctx: WorkloadClientContext): Promise<C>;
}

export interface ListAppendClient extends ClosableClient {
  /** Runs one transaction of appends and reads (reads given as ["r", key, null]). Should not throw; a throw is info. */
  txn(mops: readonly ListAppendMop[]): Promise<TxnOutcome>;
}

/** A list-append client module's default export. */
export type ListAppendClientModule = WorkloadClientModule<ListAppendClient>;

/**
 * A register workload's client (Jepsen's cas-register, one register per key). Keys start empty (read: null).
 * Each call should not throw; a throw is info.
 */
export interface RegisterClient extends ClosableClient {
  /** ok with the register's value, null when it was never written. */
  read(key: number): Promise<OpOutcome<number | null>>;
  write(key: number, value: number): Promise<OpOutcome<null>>;
  /** ok when the register held `from` and now holds `to`; fail without `error` when it did not hold `from`. */
  cas(key: number, from: number, to: number): Promise<OpOutcome<null>>;
}

export type RegisterClientModule = WorkloadClientModule<RegisterClient>;

/** The bank's accounts and each one's opening balance (the total, accounts x initialBalance, never changes). */
export interface BankSetup {
  accounts: number[];
  initialBalance: number;
}

/**
 * A bank workload's client (Jepsen's bank test): transfers inside transactions, reads of every balance. Setup
 * (`ctx.bank`) must create every account with its opening balance, idempotently (the harness may retry it).
 */
export interface BankClient extends ClosableClient {
  /** ok with every account's balance, read in one transaction: { "0": 20, "1": 20, ... }. */
  read(accounts: readonly number[]): Promise<OpOutcome<Record<string, number>>>;
  /** Moves `amount` from one account to the other; fail without `error` when `from` holds less than `amount`. */
  transfer(from: number, to: number, amount: number): Promise<OpOutcome<null>>;
}

export type BankClientModule = WorkloadClientModule<BankClient>;
