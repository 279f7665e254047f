import type { RegisterClient, RegisterClientModule } from "../../../api/index.ts";
import { connect, createTable, inTransaction, optionsOf, Refused, serverNode } from "./pg-common.ts";

/**
 * A register client for PostgreSQL (a `workload` class with `workload: "register"`): one row per key in
 * `registers(k, v)`, a key with no row reads as null (the empty register).
 *
 * clientOptions (pg-common.ts): `isolation`, `database`, `user`, `password`, `table` (default "registers"), and
 * - `mode`: "atomic" (default) does a compare-and-set in one statement (`UPDATE ... SET v = to WHERE k = $1 AND
 *   v = from`: matched or not, decided by the row lock holder, linearizable at every level on one primary);
 *   "read-then-write" is the classic bug: SELECT v, compare in the app, then `UPDATE ... SET v = to WHERE k = $1`
 *   in a second statement. At read committed two CAS from the same value both read it and both succeed, which no
 *   order of single operations allows; at repeatable read and serializable PostgreSQL aborts the second (40001).
 * Every ok op records the Patroni member that served it (pg-common.ts serverNode).
 */
const client: RegisterClientModule = {
  async setup(ctx) {
    await createTable(ctx, optionsOf(ctx, "register", "registers"), "k integer PRIMARY KEY, v bigint NOT NULL");
  },
  async open(ctx): Promise<RegisterClient> {
    const o = optionsOf(ctx, "register", "registers");
    const c = await connect(ctx, o);
    const node = await serverNode(c, ctx.node);
    const t = o.table;
    const readValue = async (key: number) => {
      const r = await c.query<{ v: string }>(`SELECT v FROM ${t} WHERE k = $1`, [key]);
      return r.rows[0] === undefined ? null : Number(r.rows[0].v);
    };
    return {
      read: (key) => inTransaction(c, o, () => readValue(key), node),
      write: (key, value) =>
        inTransaction(c, o, async () => {
          await c.query(`INSERT INTO ${t} (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v`, [key, value]);
          return null;
        }, node),
      cas: (key, from, to) =>
        inTransaction(c, o, async () => {
          if (o.mode === "atomic") {
            const r = await c.query(`UPDATE ${t} SET v = $3 WHERE k = $1 AND v = $2`, [key, from, to]);
            return r.rowCount === 1 ? null : new Refused("cas-mismatch");
          }
          // The bug on purpose: compare what a first statement read, then write unconditionally in a second.
          if ((await readValue(key)) !== from) return new Refused("cas-mismatch");
          await c.query(`UPDATE ${t} SET v = $2 WHERE k = $1`, [key, to]);
          return null;
        }, node),
      async close() {
        await c.end();
      },
    };
  },
};

export default client;
