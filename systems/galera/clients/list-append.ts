import type mysql from "mysql2/promise";
import type { ListAppendClient, ListAppendClientModule, ListAppendMop, WorkloadClientContext } from "../../../api/index.ts";
import { type GaleraOptions, optionsOf as commonOptionsOf, openSession, outcomeOf, withSetupConnection } from "./mysql-common.ts";

/** The list-append client's options (mysql-common.ts), table "list_append" by default. */
export function optionsOf(options: WorkloadClientContext["options"]): GaleraOptions {
  return commonOptionsOf(options, "list-append", "list_append");
}

export { outcomeOf };

/** "1,2,3" -> [1, 2, 3]; null (no row) -> []. */
export function parseList(v: string | null | undefined): number[] {
  if (v === null || v === undefined || v === "") return [];
  return v.split(",").map(Number);
}

/**
 * A list-append client for MariaDB / Galera (a `workload` traffic class's `client`), talking to one node (or the
 * router) directly, as Jepsen's galera and mysql clients do. Each key's list is a text column of comma-separated
 * elements in `list_append(k, v)`; with `servers`, each process is bound to one node and records its
 * `wsrep_node_name` on every committed transaction.
 *
 * clientOptions (mysql-common.ts): `isolation`, `database`, `user`, `password`, `lockWaitTimeoutS`,
 * `snapshotIsolation`, `table` (default "list_append"), and
 * - `mode`: "atomic" (default) appends in one statement, Jepsen's
 *   `INSERT ... ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', x)` (InnoDB applies it to the newest committed row, a
 *   "current read", whatever the transaction's snapshot); "read-then-write" is the classic application bug: SELECT
 *   the list (a snapshot read), append in the app, write the whole list back in a second statement.
 */
const client: ListAppendClientModule = {
  async setup(ctx) {
    const o = optionsOf(ctx.options);
    await withSetupConnection(ctx, o, async (c) => {
      await c.query(`CREATE TABLE IF NOT EXISTS ${o.table} (k INT PRIMARY KEY, v TEXT NOT NULL) ENGINE=InnoDB`);
    });
  },
  async open(ctx): Promise<ListAppendClient> {
    const o = optionsOf(ctx.options);
    const { c, node } = await openSession(ctx, o);
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
