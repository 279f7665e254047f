import type mysql from "mysql2/promise";
import type { RegisterClient, RegisterClientModule } from "../../../api/index.ts";
import { inTransaction, matchedRows, openSession, optionsOf, Refused, withSetupConnection } from "./mysql-common.ts";

/**
 * A register client for MariaDB / Galera (a `workload` class with `workload: "register"`): one row per key in
 * `registers(k, v)`, a key with no row reads as null (the empty register). Each process is bound to one node (the
 * class's `servers`) and records its `wsrep_node_name` on every ok op.
 *
 * clientOptions (mysql-common.ts): `isolation`, `database`, `user`, `password`, `lockWaitTimeoutS`,
 * `snapshotIsolation`, `table` (default "registers"), and
 * - `mode`: "atomic" (default) does a compare-and-set in one statement (`UPDATE ... SET v = to WHERE k = ? AND
 *   v = from`: a current read under the row lock on its node; across nodes certification lets one of two
 *   conflicting write sets commit); "read-then-write" is the classic bug: SELECT v (a snapshot read), compare in the
 *   app, then `UPDATE ... SET v = to WHERE k = ?` in a second statement. InnoDB's repeatable read applies that
 *   UPDATE to the newest row even when it changed since the SELECT (unless `snapshotIsolation`), so two CAS from
 *   the same value can both succeed; at serializable the SELECT takes a shared lock and one of them deadlocks.
 * Reads are plain SELECTs on the process's node: Galera applies other nodes' write sets asynchronously
 * (wsrep_sync_wait = 0 by default), so a read may not yet see a write another node acknowledged.
 */
const client: RegisterClientModule = {
  async setup(ctx) {
    const o = optionsOf(ctx.options, "register", "registers");
    await withSetupConnection(ctx, o, async (c) => {
      await c.query(`CREATE TABLE IF NOT EXISTS ${o.table} (k INT PRIMARY KEY, v BIGINT NOT NULL) ENGINE=InnoDB`);
    });
  },
  async open(ctx): Promise<RegisterClient> {
    const o = optionsOf(ctx.options, "register", "registers");
    const { c, node } = await openSession(ctx, o);
    const t = o.table;
    const readValue = async (key: number) => {
      const [rows] = await c.execute<mysql.RowDataPacket[]>(`SELECT v FROM ${t} WHERE k = ?`, [key]);
      return rows[0] === undefined ? null : Number(rows[0].v);
    };
    return {
      read: (key) => inTransaction(c, node, false, () => readValue(key)),
      write: (key, value) =>
        inTransaction(c, node, true, async () => {
          await c.execute(`INSERT INTO ${t} (k, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE v = VALUES(v)`, [key, value]);
          return null;
        }),
      cas: (key, from, to) =>
        inTransaction(c, node, true, async () => {
          if (o.mode === "atomic") {
            const [r] = await c.execute(`UPDATE ${t} SET v = ? WHERE k = ? AND v = ?`, [to, key, from]);
            return matchedRows(r) === 1 ? null : new Refused("cas-mismatch");
          }
          // The bug on purpose: compare what a first statement read, then write unconditionally in a second.
          if ((await readValue(key)) !== from) return new Refused("cas-mismatch");
          await c.execute(`UPDATE ${t} SET v = ? WHERE k = ?`, [to, key]);
          return null;
        }),
      async close() {
        c.destroy();
      },
    };
  },
};

export default client;
