import type { WorkloadClientContext } from "../../api/index.ts";

/**
 * The options every SQL workload client (pgha's and Galera's list-append, register and bank) validates alike: the
 * isolation level, how a change is made, where to log in, and the table. Each system adds its own (Galera's lock
 * wait timeout, snapshot isolation, wsrep_sync_wait) and its own defaults (the server's default isolation level).
 */

/** The isolation levels a client may ask for, by option value, with the SQL each server takes. */
export const Isolations = { "read-committed": "READ COMMITTED", "repeatable-read": "REPEATABLE READ", serializable: "SERIALIZABLE" } as const;
export type Isolation = keyof typeof Isolations;

/**
 * `mode`: "atomic": each change is one statement that reads and writes at once; "read-then-write": the classic
 * application bug, SELECT in one statement, decide in the app, write in a second.
 */
export type ChangeMode = "atomic" | "read-then-write";

export interface SqlClientOptions {
  isolation: Isolation;
  mode: ChangeMode;
  database: string;
  user: string;
  password: string;
  table: string;
}

/** Defaults a system gives the shared options: its server's default isolation level and its login. */
export interface SqlClientDefaults {
  isolation: Isolation;
  database: string;
  user: string;
  table: string;
}

/**
 * Validates the shared options; `what` names the client in messages ("galera register client: isolation must be
 * ..."). Throws on a value the client cannot use, naming the option and what it expected.
 */
export function sqlClientOptionsOf(o: WorkloadClientContext["options"], what: string, defaults: SqlClientDefaults): SqlClientOptions {
  const isolation = String(o.isolation ?? defaults.isolation);
  if (!(isolation in Isolations)) throw new Error(`${what}: isolation must be one of ${Object.keys(Isolations).join(", ")}, got "${isolation}"`);
  const mode = String(o.mode ?? "atomic");
  if (mode !== "atomic" && mode !== "read-then-write") throw new Error(`${what}: mode must be "atomic" or "read-then-write", got "${mode}"`);
  const table = String(o.table ?? defaults.table);
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`${what}: bad table name "${table}"`);
  return { isolation: isolation as Isolation, mode, database: String(o.database ?? defaults.database), user: String(o.user ?? defaults.user), password: String(o.password ?? ""), table };
}
