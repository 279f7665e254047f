import mysql from "mysql2/promise";
import type { OpOutcome, TxnOutcome, WorkloadClientContext } from "../../../api/index.ts";
import { Isolations, sqlClientOptionsOf, type SqlClientOptions } from "../../shared/sql-client-options.ts";

/**
 * What the Galera workload clients (list-append, register, bank) share: their options, the session (isolation
 * level, lock wait timeout, the node's name), the transaction wrapper, and how an error tells a definite failure
 * from an unknown outcome.
 *
 * clientOptions of every client:
 * - `isolation`: "read-committed", "repeatable-read" (default: MariaDB's own default) or "serializable".
 * - `mode`: "atomic" (default): each change is one statement that reads and writes at once (InnoDB applies it to
 *   the newest committed row, a "current read", whatever the transaction's snapshot); "read-then-write": the
 *   classic application bug, SELECT in one statement (a snapshot read), decide in the app, write in a second.
 * - `database`, `user`, `password`: where to log in.
 * - `table`: the table (each client has its own default).
 * - `lockWaitTimeoutS`: InnoDB's lock wait timeout for the session, s (default 2): a blocked statement ends as a
 *   definite 1205 before the harness's per-op timeout makes it unknown.
 * - `snapshotIsolation` (default false): `SET SESSION innodb_snapshot_isolation = ON` (off by default in 10.11, on
 *   in 11.8): at repeatable read a write to a row changed since the transaction's snapshot is refused (1020, "Record
 *   has changed since last read") instead of applied to the newest version.
 * - `wsrepSyncWait` (default 0, Galera's default): `SET SESSION wsrep_sync_wait = N` (a bit mask, 0-15; 1 makes every
 *   read wait until the node has applied every write set the cluster ordered before it: causal reads).
 */
export { Isolations, type Isolation } from "../../shared/sql-client-options.ts";

export interface GaleraOptions extends SqlClientOptions {
  lockWaitTimeoutS: number;
  snapshotIsolation: boolean;
  wsrepSyncWait: number;
}

/** Validates a client's options; `client` names it in messages ("galera register client: ..."). */
export function optionsOf(options: WorkloadClientContext["options"], client: string, defaultTable: string): GaleraOptions {
  const o = options;
  const what = `galera ${client} client`;
  const shared = sqlClientOptionsOf(o, what, { isolation: "repeatable-read", database: "trackr", user: "trackr", table: defaultTable });
  const lockWaitTimeoutS = Number(o.lockWaitTimeoutS ?? 2);
  if (!Number.isInteger(lockWaitTimeoutS) || lockWaitTimeoutS < 1) throw new Error(`${what}: lockWaitTimeoutS must be a positive integer, got ${String(o.lockWaitTimeoutS)}`);
  const snapshotIsolation = o.snapshotIsolation ?? false;
  if (typeof snapshotIsolation !== "boolean") throw new Error(`${what}: snapshotIsolation must be true or false, got ${JSON.stringify(snapshotIsolation)}`);
  const wsrepSyncWait = Number(o.wsrepSyncWait ?? 0);
  if (!Number.isInteger(wsrepSyncWait) || wsrepSyncWait < 0 || wsrepSyncWait > 15) throw new Error(`${what}: wsrepSyncWait must be an integer from 0 to 15, got ${String(o.wsrepSyncWait)}`);
  return { ...shared, lockWaitTimeoutS, snapshotIsolation, wsrepSyncWait };
}

/**
 * Server errors after which the transaction surely did not commit (the server answered and rolled it back), also
 * when they answer COMMIT: a deadlock or a Galera certification conflict / brute-force abort (1213), a lock wait
 * timeout (1205), a write conflict under innodb_snapshot_isolation (1020), a node outside the primary component
 * refusing ("WSREP has not yet prepared node for application use", 1047), a query interrupted (1317: InnoDB rolls
 * back the statement, the client then rolls back the rest).
 * Anything else answering COMMIT may have committed elsewhere: in particular 1180 (ER_ERROR_DURING_COMMIT), which a
 * Galera node gives when it lost the primary component while its write set was being replicated.
 */
const ROLLED_BACK = new Set([1213, 1205, 1020, 1047, 1317]);
/** Errors after which the connection is worth no more (the harness opens a new one for the same process). */
const BROKEN_CONNECTION = new Set([1047, 1053, 1927, 2006, 2013]);

interface MysqlError {
  errno?: number;
  code?: string;
  sqlState?: string;
  fatal?: boolean;
  message?: string;
}

/**
 * How a transaction that threw ended. `committing`: COMMIT was sent (or in flight); `writes`: the transaction
 * wrote something (a read-only one changes nothing, so it simply failed whatever the error).
 * - Before COMMIT: fail (InnoDB rolls back an open transaction whose connection drops; a server error aborted it).
 * - At COMMIT: fail for the rollback codes above, else info (unknown): a connection lost or another server error
 *   while committing.
 */
export function outcomeOf(error: unknown, committing: boolean, writes: boolean): Exclude<TxnOutcome, { type: "ok" }> {
  const e = (error ?? {}) as MysqlError;
  const message = e.message ?? String(error);
  const server = typeof e.errno === "number" && typeof e.sqlState === "string";
  const cause = server ? String(e.errno) : (e.code ?? "connection").toLowerCase();
  const reconnect = !server || e.fatal === true || BROKEN_CONNECTION.has(e.errno!);
  if (!committing || !writes || (server && ROLLED_BACK.has(e.errno!))) return { type: "fail", cause, error: message, ...(reconnect ? { reconnect: true } : {}) };
  return { type: "info", cause, error: message };
}

async function connect(ctx: WorkloadClientContext, o: GaleraOptions): Promise<mysql.Connection> {
  const c = await mysql.createConnection({
    host: ctx.host,
    port: ctx.port,
    database: o.database,
    user: o.user,
    password: o.password,
    connectTimeout: ctx.timeoutMs,
  });
  c.on("error", () => undefined); // a dropped connection surfaces on the next query
  return c;
}

/** Runs `statements` (CREATE TABLE, seed rows) on a connection of its own, closed whatever happens: a client's setup. */
export async function withSetupConnection(ctx: WorkloadClientContext, o: GaleraOptions, body: (c: mysql.Connection) => Promise<void>): Promise<void> {
  const c = await connect(ctx, o);
  try {
    await body(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * One process's session: its isolation level and lock wait timeout set once, and the `wsrep_node_name` of the node
 * that serves it (recorded on every ok op, so witnesses name the node; the harness's node name if the server has none).
 */
export async function openSession(ctx: WorkloadClientContext, o: GaleraOptions): Promise<{ c: mysql.Connection; node: string }> {
  const c = await connect(ctx, o);
  try {
    await c.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${Isolations[o.isolation]}`);
    await c.query(`SET SESSION innodb_lock_wait_timeout = ${o.lockWaitTimeoutS}`);
    if (o.snapshotIsolation) await c.query("SET SESSION innodb_snapshot_isolation = ON");
    if (o.wsrepSyncWait !== 0) await c.query(`SET SESSION wsrep_sync_wait = ${o.wsrepSyncWait}`);
    const [rows] = await c.query<mysql.RowDataPacket[]>("SELECT @@wsrep_node_name AS node");
    return { c, node: String(rows[0]?.node ?? "") || ctx.node };
  } catch (error) {
    c.destroy();
    throw error;
  }
}

/** A refusal the transaction body decided on (a CAS that did not match, a transfer short of funds): rolled back, fail without error. */
export class Refused {
  constructor(readonly cause: string) {}
}

/**
 * Runs `body` in one transaction: ok with what it returns and the serving node; fail without an error when it
 * returns a Refused (rolled back); otherwise fail or info as outcomeOf decides (`writes`: whether the body writes).
 */
export async function inTransaction<T>(c: mysql.Connection, node: string, writes: boolean, body: () => Promise<T | Refused>): Promise<OpOutcome<T>> {
  let committing = false;
  try {
    await c.query("START TRANSACTION");
    const result = await body();
    if (result instanceof Refused) {
      await c.query("ROLLBACK");
      return { type: "fail", cause: result.cause };
    }
    committing = true;
    await c.query("COMMIT");
    return { type: "ok", value: result, node };
  } catch (error) {
    if (!committing) await c.query("ROLLBACK").catch(() => undefined);
    return outcomeOf(error, committing, writes);
  }
}

/** Rows an UPDATE matched (mysql2 asks for found rows, so an unchanged row counts too). */
export function matchedRows(result: unknown): number {
  return (result as { affectedRows?: number }).affectedRows ?? 0;
}
