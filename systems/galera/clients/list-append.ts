import mysql from "mysql2/promise";
import type { ListAppendClient, ListAppendClientModule, ListAppendMop, TxnOutcome, WorkloadClientContext } from "../../../api/index.ts";

/**
 * A list-append client for MariaDB / Galera (a `workload` traffic class's `client`), talking to one node (or the
 * router) directly, as Jepsen's galera and mysql clients do. Each key's list is a text column of comma-separated
 * elements in `list_append(k, v)`; with `servers`, each process is bound to one node and records its
 * `wsrep_node_name` on every committed transaction.
 *
 * clientOptions:
 * - `isolation`: "read-committed", "repeatable-read" (default: MariaDB's own default) or "serializable".
 * - `mode`: "atomic" (default) appends in one statement, Jepsen's
 *   `INSERT ... ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', x)` (InnoDB applies it to the newest committed row, a
 *   "current read", whatever the transaction's snapshot); "read-then-write" is the classic application bug: SELECT
 *   the list (a snapshot read), append in the app, write the whole list back in a second statement.
 * - `database`, `user`, `password`: where to log in.
 * - `table`: default "list_append".
 * - `lockWaitTimeoutS`: InnoDB's lock wait timeout for the session, s (default 2): a blocked statement ends as a
 *   definite 1205 before the harness's per-transaction timeout makes it unknown.
 * - `snapshotIsolation` (default false): `SET SESSION innodb_snapshot_isolation = ON` (off by default in 10.11, on
 *   in 11.8): at repeatable read a write to a row changed since the transaction's snapshot is refused (1020, "Record
 *   has changed since last read") instead of applied to the newest version.
 */
const Isolations = { "read-committed": "READ COMMITTED", "repeatable-read": "REPEATABLE READ", serializable: "SERIALIZABLE" } as const;
type Isolation = keyof typeof Isolations;

interface GaleraOptions {
  isolation: Isolation;
  mode: "atomic" | "read-then-write";
  database: string;
  user: string;
  password: string;
  table: string;
  lockWaitTimeoutS: number;
  snapshotIsolation: boolean;
}

export function optionsOf(options: WorkloadClientContext["options"]): GaleraOptions {
  const o = options;
  const isolation = String(o.isolation ?? "repeatable-read");
  if (!(isolation in Isolations)) throw new Error(`galera list-append client: isolation must be one of ${Object.keys(Isolations).join(", ")}, got "${isolation}"`);
  const mode = String(o.mode ?? "atomic");
  if (mode !== "atomic" && mode !== "read-then-write") throw new Error(`galera list-append client: mode must be "atomic" or "read-then-write", got "${mode}"`);
  const table = String(o.table ?? "list_append");
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`galera list-append client: bad table name "${table}"`);
  const lockWaitTimeoutS = Number(o.lockWaitTimeoutS ?? 2);
  if (!Number.isInteger(lockWaitTimeoutS) || lockWaitTimeoutS < 1) throw new Error(`galera list-append client: lockWaitTimeoutS must be a positive integer, got ${String(o.lockWaitTimeoutS)}`);
  const snapshotIsolation = o.snapshotIsolation ?? false;
  if (typeof snapshotIsolation !== "boolean") throw new Error(`galera list-append client: snapshotIsolation must be true or false, got ${JSON.stringify(snapshotIsolation)}`);
  return { isolation: isolation as Isolation, mode, database: String(o.database ?? "trackr"), user: String(o.user ?? "trackr"), password: String(o.password ?? ""), table, lockWaitTimeoutS, snapshotIsolation };
}

/** "1,2,3" -> [1, 2, 3]; null (no row) -> []. */
export function parseList(v: string | null | undefined): number[] {
  if (v === null || v === undefined || v === "") return [];
  return v.split(",").map(Number);
}

/**
 * Server errors after which the transaction surely did not commit (the server answered and rolled it back), also
 * when they answer COMMIT: a deadlock or a Galera certification conflict / brute-force abort (1213), a lock wait
 * timeout (1205), a write conflict under innodb_snapshot_isolation (1020), a node outside the primary component refusing ("WSREP has not yet prepared node for application
 * use", 1047), a query interrupted (1317: InnoDB rolls back the statement, the client then rolls back the rest).
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
 * appended something (a read-only one changes nothing, so it simply failed whatever the error).
 * - Before COMMIT: fail (InnoDB rolls back an open transaction whose connection drops; a server error aborted it).
 * - At COMMIT: fail for the rollback codes above, else info (unknown): a connection lost or another server error
 *   while committing.
 */
export function outcomeOf(error: unknown, committing: boolean, writes: boolean): TxnOutcome {
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

const client: ListAppendClientModule = {
  async setup(ctx) {
    const o = optionsOf(ctx.options);
    const c = await connect(ctx, o);
    try {
      await c.query(`CREATE TABLE IF NOT EXISTS ${o.table} (k INT PRIMARY KEY, v TEXT NOT NULL) ENGINE=InnoDB`);
    } finally {
      await c.end().catch(() => undefined);
    }
  },
  async open(ctx): Promise<ListAppendClient> {
    const o = optionsOf(ctx.options);
    const c = await connect(ctx, o);
    let node: string;
    try {
      await c.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${Isolations[o.isolation]}`);
      await c.query(`SET SESSION innodb_lock_wait_timeout = ${o.lockWaitTimeoutS}`);
      if (o.snapshotIsolation) await c.query("SET SESSION innodb_snapshot_isolation = ON");
      const [rows] = await c.query<mysql.RowDataPacket[]>("SELECT @@wsrep_node_name AS node");
      node = String(rows[0]?.node ?? "") || ctx.node;
    } catch (error) {
      c.destroy();
      throw error;
    }
    const t = o.table;
    const read = async (k: number) => {
      const [rows] = await c.execute<mysql.RowDataPacket[]>(`SELECT v FROM ${t} WHERE k = ?`, [k]);
      return parseList(rows[0]?.v as string | undefined);
    };
    return {
      async txn(mops) {
        const done: ListAppendMop[] = [];
        const writes = mops.some((m) => m[0] === "append");
        let committing = false;
        try {
          await c.query("START TRANSACTION");
          for (const mop of mops) {
            const [f, k] = mop;
            if (f === "r") {
              done.push(["r", k, await read(k)]);
            } else if (o.mode === "atomic") {
              await c.execute(`INSERT INTO ${t} (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', VALUES(v))`, [k, String(mop[2])]);
              done.push(mop);
            } else {
              // The bug on purpose: read, append in the app, write the whole list back.
              const list = [...(await read(k)), mop[2]];
              await c.execute(`INSERT INTO ${t} (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)`, [k, list.join(",")]);
              done.push(mop);
            }
          }
          committing = true;
          await c.query("COMMIT");
          return { type: "ok", value: done, node };
        } catch (error) {
          if (!committing) await c.query("ROLLBACK").catch(() => undefined);
          return outcomeOf(error, committing, writes);
        }
      },
      async close() {
        c.destroy();
      },
    };
  },
};

export default client;
