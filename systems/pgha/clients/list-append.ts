import pg from "pg";
import type { ListAppendClient, ListAppendClientModule, ListAppendMop, TxnOutcome, WorkloadClientContext } from "../../../api/index.ts";

/**
 * A list-append client for PostgreSQL (a `workload` traffic class's `client`), talking to the database directly as
 * Jepsen's clients do. Each key's list is a text column of comma-separated elements in `list_append(k, v)`.
 *
 * clientOptions:
 * - `isolation`: "read-committed" (default), "repeatable-read" or "serializable": every transaction's level.
 * - `mode`: "atomic" (default) appends in one statement (`v = v || ',e'`, safe at every level);
 *   "read-then-write" is the classic application bug: SELECT the list, append in the app, then write the whole list
 *   back in a second statement. At read committed two transactions appending to a key both read the same list and
 *   the second write loses the first's element (a lost update); at repeatable read and serializable PostgreSQL
 *   aborts one of them (40001) instead.
 * - `database`, `user`, `password`: where to log in.
 * - `table`: default "list_append".
 */
const Isolations = { "read-committed": "READ COMMITTED", "repeatable-read": "REPEATABLE READ", serializable: "SERIALIZABLE" } as const;
type Isolation = keyof typeof Isolations;

interface PgOptions {
  isolation: Isolation;
  mode: "atomic" | "read-then-write";
  database: string;
  user: string;
  password: string;
  table: string;
}

function optionsOf(ctx: WorkloadClientContext): PgOptions {
  const o = ctx.options;
  const isolation = String(o.isolation ?? "read-committed");
  if (!(isolation in Isolations)) throw new Error(`pgha list-append client: isolation must be one of ${Object.keys(Isolations).join(", ")}, got "${isolation}"`);
  const mode = String(o.mode ?? "atomic");
  if (mode !== "atomic" && mode !== "read-then-write") throw new Error(`pgha list-append client: mode must be "atomic" or "read-then-write", got "${mode}"`);
  const table = String(o.table ?? "list_append");
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`pgha list-append client: bad table name "${table}"`);
  return { isolation: isolation as Isolation, mode, database: String(o.database ?? "postgres"), user: String(o.user ?? "postgres"), password: String(o.password ?? ""), table };
}

async function connect(ctx: WorkloadClientContext, o: PgOptions): Promise<pg.Client> {
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

/** "1,2,3" -> [1, 2, 3]; null (no row) -> []. */
export function parseList(v: string | null | undefined): number[] {
  if (v === null || v === undefined || v === "") return [];
  return v.split(",").map(Number);
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
function outcomeOf(error: unknown, committing: boolean): TxnOutcome {
  const state = sqlState(error);
  const message = (error as Error).message ?? String(error);
  // Connection trouble (08), a server shutting down (57) or a demoted primary refusing writes (25006): the
  // transaction was rolled back, and this connection is worth no more (pgproxy sends a new one to the new primary).
  if (state) return { type: "fail", cause: state, error: message, ...(/^(08|57)/.test(state) || state === "25006" ? { reconnect: true } : {}) };
  const cause = String((error as { code?: unknown }).code ?? "connection").toLowerCase();
  return committing ? { type: "info", cause, error: message } : { type: "fail", cause, error: message, reconnect: true };
}

const client: ListAppendClientModule = {
  async setup(ctx) {
    const o = optionsOf(ctx);
    const c = await connect(ctx, o);
    try {
      await c.query(`CREATE TABLE IF NOT EXISTS ${o.table} (k integer PRIMARY KEY, v text NOT NULL)`);
    } finally {
      await c.end().catch(() => undefined);
    }
  },
  async open(ctx): Promise<ListAppendClient> {
    const o = optionsOf(ctx);
    const c = await connect(ctx, o);
    const t = o.table;
    return {
      async txn(mops) {
        const done: ListAppendMop[] = [];
        let committing = false;
        try {
          await c.query(`BEGIN ISOLATION LEVEL ${Isolations[o.isolation]}`);
          for (const mop of mops) {
            const [f, k] = mop;
            if (f === "r") {
              const r = await c.query<{ v: string }>(`SELECT v FROM ${t} WHERE k = $1`, [k]);
              done.push(["r", k, parseList(r.rows[0]?.v)]);
            } else if (o.mode === "atomic") {
              await c.query(`INSERT INTO ${t} AS l (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = l.v || ',' || EXCLUDED.v`, [k, String(mop[2])]);
              done.push(mop);
            } else {
              // The bug on purpose: read, append in the app, write the whole list back.
              const r = await c.query<{ v: string }>(`SELECT v FROM ${t} WHERE k = $1`, [k]);
              const list = [...parseList(r.rows[0]?.v), mop[2]];
              await c.query(`INSERT INTO ${t} (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`, [k, list.join(",")]);
              done.push(mop);
            }
          }
          committing = true;
          await c.query("COMMIT");
          return { type: "ok", value: done };
        } catch (error) {
          if (!committing) await c.query("ROLLBACK").catch(() => undefined);
          return outcomeOf(error, committing);
        }
      },
      async close() {
        await c.end();
      },
    };
  },
};

export default client;
