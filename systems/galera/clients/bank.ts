import type mysql from "mysql2/promise";
import type { BankClient, BankClientModule } from "../../../api/index.ts";
import { inTransaction, matchedRows, openSession, optionsOf, Refused, withSetupConnection } from "./mysql-common.ts";

/**
 * A bank client for MariaDB / Galera (a `workload` class with `workload: "bank"`): one row per account in
 * `accounts(id, balance)`, created by setup with the class's opening balance (idempotent: INSERT IGNORE leaves an
 * existing account alone). Each process is bound to one node and records its `wsrep_node_name` on every ok op.
 *
 * clientOptions (mysql-common.ts): `isolation`, `database`, `user`, `password`, `lockWaitTimeoutS`,
 * `snapshotIsolation`, `table` (default "accounts"), and
 * - `mode`: "atomic" (default) moves money with two relative updates (`balance = balance - amount WHERE ... AND
 *   balance >= amount`, then `balance = balance + amount`), current reads under row locks, correct on one node;
 *   "read-then-write" is the classic bug: read both balances (a snapshot read), compute the new ones in the app,
 *   write both back as absolute values. InnoDB's repeatable read applies those writes to rows changed since the
 *   snapshot (unless `snapshotIsolation`), so concurrent transfers overwrite each other and money appears or
 *   vanishes.
 * Reads are one SELECT of every account inside a transaction (one consistent snapshot of the process's node).
 */
const client: BankClientModule = {
  async setup(ctx) {
    const o = optionsOf(ctx.options, "bank", "accounts");
    const bank = ctx.bank;
    if (bank === undefined) throw new Error('galera bank client: no accounts given (use it from a workload class with workload: "bank")');
    await withSetupConnection(ctx, o, async (c) => {
      await c.query(`CREATE TABLE IF NOT EXISTS ${o.table} (id INT PRIMARY KEY, balance BIGINT NOT NULL) ENGINE=InnoDB`);
      await c.query(`INSERT IGNORE INTO ${o.table} (id, balance) VALUES ?`, [bank.accounts.map((id) => [id, bank.initialBalance])]);
    });
  },
  async open(ctx): Promise<BankClient> {
    const o = optionsOf(ctx.options, "bank", "accounts");
    const { c, node } = await openSession(ctx, o);
    const t = o.table;
    const balances = async (ids: readonly number[]) => {
      const [rows] = await c.query<mysql.RowDataPacket[]>(`SELECT id, balance FROM ${t} WHERE id IN (?)`, [ids]);
      return new Map(rows.map((row) => [Number(row.id), Number(row.balance)]));
    };
    return {
      read: (accounts) => inTransaction(c, node, false, async () => Object.fromEntries([...(await balances(accounts))].map(([id, b]) => [String(id), b]))),
      transfer: (from, to, amount) =>
        inTransaction(c, node, true, async () => {
          if (o.mode === "atomic") {
            const [debit] = await c.execute(`UPDATE ${t} SET balance = balance - ? WHERE id = ? AND balance >= ?`, [amount, from, amount]);
            if (matchedRows(debit) !== 1) return new Refused("insufficient-funds");
            await c.execute(`UPDATE ${t} SET balance = balance + ? WHERE id = ?`, [amount, to]);
            return null;
          }
          // The bug on purpose: read both balances, then write absolute values computed in the app.
          const balance = await balances([from, to]);
          const a = balance.get(from) ?? 0;
          const b = balance.get(to) ?? 0;
          if (a < amount) return new Refused("insufficient-funds");
          await c.execute(`UPDATE ${t} SET balance = ? WHERE id = ?`, [a - amount, from]);
          await c.execute(`UPDATE ${t} SET balance = ? WHERE id = ?`, [b + amount, to]);
          return null;
        }),
      async close() {
        c.destroy();
      },
    };
  },
};

export default client;
