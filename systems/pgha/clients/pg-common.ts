import pg from "pg";
import type { OpOutcome, WorkloadClientContext } from "../../../api/index.ts";
import { Isolations, sqlClientOptionsOf, type SqlClientOptions } from "../../shared/sql-client-options.ts";

/**
 * What pgha's workload clients (list-append, register, bank) share: their options, the connection, and how an
 * error tells a definite failure from an unknown outcome.
 *
 * clientOptions of every client:
 * - `isolation`: "read-committed" (default), "repeatable-read" or "serializable": every transaction's level.
 * - `mode`: "atomic" (default): each change is one statement that reads and writes at once (safe at every level);
 *   "read-then-write": the classic application bug, SELECT in one statement, decide in the app, write in another.
 *   At read committed two transactions then both act on the same stale read; at repeatable read and serializable
 *   PostgreSQL aborts one of them (40001) instead.
 * - `database`, `user`, `password`: where to log in.
 * - `table`: the table (each client has its own default).
 */
export { Isolations, type Isolation } from "../../shared/sql-client-options.ts";

export type PgOptions = SqlClientOptions;

export function optionsOf(ctx: WorkloadClientContext, client: string, defaultTable: string): PgOptions {
  return sqlClientOptionsOf(ctx.options, `pgha ${client} client`, { isolation: "read-committed", database: "postgres", user: "postgres", table: defaultTable });
}

export async function connect(ctx: WorkloadClientContext, o: PgOptions): Promise<pg.Client> {
  const client = new pg.Client({
    host: ctx.host,
    port: ctx.port,
    database: o.database,
    user: o.user,
    password: o.password,
    connectionTimeoutMillis: ctx.timeoutMs,
    // The server gives up a little before the harness does, so most slow transactions end as a definite failure.
    statement_timeout: Math.max(100, ctx.timeoutMs - 500),
  });
  client.on("error", () => undefined); // a dropped connection surfaces on the next query
  await client.connect();
  return client;
}

/** Runs `body` (CREATE TABLE, seed rows) on a connection of its own, closed whatever happens: a client's setup. */
export async function withSetupConnection(ctx: WorkloadClientContext, o: PgOptions, body: (c: pg.Client) => Promise<void>): Promise<void> {
  const c = await connect(ctx, o);
  try {
    await body(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Creates the client's table if missing: `columns` is the column list, e.g. "k integer PRIMARY KEY, v text NOT NULL". */
export function createTable(ctx: WorkloadClientContext, o: PgOptions, columns: string): Promise<void> {
  return withSetupConnection(ctx, o, async (c) => {
    await c.query(`CREATE TABLE IF NOT EXISTS ${o.table} (${columns})`);
  });
}

/**
 * The Patroni member name of the PostgreSQL server a connection reached (through pgproxy, the client cannot tell
 * otherwise): the `name:` line of the node's Patroni config, read with pg_read_file (the clients log in as the
 * superuser). One connection stays on one server, so it is asked once per connection; `fallback` (the harness's
 * target, e.g. "pgproxy") when the file cannot be read.
 */
export async function serverNode(c: pg.Client, fallback: string): Promise<string> {
  try {
    const r = await c.query<{ conf: string }>("SELECT pg_read_file('/etc/patroni/patroni.yml') AS conf");
    return memberName(r.rows[0]?.conf ?? "") ?? fallback;
  } catch {
    return fallback;
  }
}

/** The top-level `name:` of a Patroni config, or undefined. */
export function memberName(patroniYaml: string): string | undefined {
  return /^name: *([A-Za-z0-9._-]+) *$/m.exec(patroniYaml)?.[1];
}

/** A server error's SQLSTATE, or undefined for a connection or client error. */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * Whether a transaction that threw is definitely not committed: any error before COMMIT was sent (the server rolls
 * back an open transaction whose connection drops), or a server error answering COMMIT (e.g. 40001). Only a
 * connection error while COMMIT was in flight is unknown.
 */
export function outcomeOf(error: unknown, committing: boolean): { type: "fail"; cause: string; error: string; reconnect?: boolean } | { type: "info"; cause: string; error: string } {
  const state = sqlState(error);
  const message = (error as Error).message ?? String(error);
  // Connection trouble (08), a server shutting down (57) or a demoted primary refusing writes (25006): the
  // transaction was rolled back, and this connection is worth no more (pgproxy sends a new one to the new primary).
  if (state) return { type: "fail", cause: state, error: message, ...(/^(08|57)/.test(state) || state === "25006" ? { reconnect: true } : {}) };
  const cause = String((error as { code?: unknown }).code ?? "connection").toLowerCase();
  return committing ? { type: "info", cause, error: message } : { type: "fail", cause, error: message, reconnect: true };
}

/** A refusal the transaction body decided on (a CAS that did not match): rolled back, recorded as fail without error. */
export class Refused {
  constructor(readonly cause: string) {}
}

/**
 * Runs `body` in one transaction at the client's isolation level: ok with what it returns (and `node`, the server
 * that committed it, when given); fail without an error
 * when it returns a Refused (rolled back); otherwise fail or info as outcomeOf decides.
 */
export async function inTransaction<T>(c: pg.Client, o: PgOptions, body: () => Promise<T | Refused>, node?: string): Promise<OpOutcome<T>> {
  let committing = false;
  try {
    await c.query(`BEGIN ISOLATION LEVEL ${Isolations[o.isolation]}`);
    const result = await body();
    if (result instanceof Refused) {
      await c.query("ROLLBACK");
      return { type: "fail", cause: result.cause };
    }
    committing = true;
    await c.query("COMMIT");
    return { type: "ok", value: result, ...(node !== undefined ? { node } : {}) };
  } catch (error) {
    if (!committing) await c.query("ROLLBACK").catch(() => undefined);
    return outcomeOf(error, committing);
  }
}
