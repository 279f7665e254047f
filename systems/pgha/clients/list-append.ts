import type { ListAppendClient, ListAppendClientModule, ListAppendMop } from "../../../api/index.ts";
import { connect, createTable, Isolations, optionsOf, outcomeOf, serverNode } from "./pg-common.ts";

/** "1,2,3" -> [1, 2, 3]; null (no row) -> []. */
export function parseList(v: string | null | undefined): number[] {
  if (v === null || v === undefined || v === "") return [];
  return v.split(",").map(Number);
}

/**
 * A list-append client for PostgreSQL (a `workload` traffic class's `client`), talking to the database directly as
 * Jepsen's clients do. Each key's list is a text column of comma-separated elements in `list_append(k, v)`.
 *
 * clientOptions (pg-common.ts): `isolation`, `database`, `user`, `password`, `table` (default "list_append"), and
 * - `mode`: "atomic" (default) appends in one statement (`v = v || ',e'`, safe at every level);
 *   "read-then-write" is the classic application bug: SELECT the list, append in the app, then write the whole list
 *   back in a second statement. At read committed two transactions appending to a key both read the same list and
 *   the second write loses the first's element (a lost update); at repeatable read and serializable PostgreSQL
 *   aborts one of them (40001) instead.
 * Every committed transaction records the Patroni member that served it (pgproxy hides which one), so a witness
 * names the node, e.g. the zombie primary.
 */
const client: ListAppendClientModule = {
  async setup(ctx) {
    await createTable(ctx, optionsOf(ctx, "list-append", "list_append"), "k integer PRIMARY KEY, v text NOT NULL");
  },
  async open(ctx): Promise<ListAppendClient> {
    const o = optionsOf(ctx, "list-append", "list_append");
    const c = await connect(ctx, o);
    const node = await serverNode(c, ctx.node);
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
          return { type: "ok", value: done, node };
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
