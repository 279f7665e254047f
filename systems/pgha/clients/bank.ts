import type { BankClient, BankClientModule } from "../../../api/index.ts";
import { connect, inTransaction, optionsOf, Refused, serverNode, withSetupConnection } from "./pg-common.ts";

/**
 * A bank client for PostgreSQL (a `workload` class with `workload: "bank"`): one row per account in
 * `accounts(id, balance)`, created by setup with the class's opening balance (idempotent: an existing account is
 * left alone).
 *
 * clientOptions (pg-common.ts): `isolation`, `database`, `user`, `password`, `table` (default "accounts"), and
 * - `mode`: "atomic" (default) moves money with two relative updates (`balance = balance - amount WHERE ... AND
 *   balance >= amount`, then `balance = balance + amount`), correct at every level;
 *   "read-then-write" is the classic bug: read both balances, compute the new ones in the app, write both back as
 *   absolute values. At read committed two transfers touching an account both read the same balance and one
 *   overwrites the other, so money appears or vanishes and later reads see a wrong total; at repeatable read and
 *   serializable PostgreSQL aborts one of them (40001).
 * Reads are one SELECT of every account (one statement: a consistent snapshot even at read committed).
 */
const client: BankClientModule = {
  async setup(ctx) {
    const o = optionsOf(ctx, "bank", "accounts");
    if (ctx.bank === undefined) throw new Error("pgha bank client: no accounts given (use it from a workload class with workload: \"bank\")");
    const bank = ctx.bank;
    await withSetupConnection(ctx, o, async (c) => {
      await c.query(`CREATE TABLE IF NOT EXISTS ${o.table} (id integer PRIMARY KEY, balance bigint NOT NULL)`);
      await c.query(`INSERT INTO ${o.table} (id, balance) SELECT unnest($1::int[]), $2 ON CONFLICT (id) DO NOTHING`, [bank.accounts, bank.initialBalance]);
    });
  },
  async open(ctx): Promise<BankClient> {
    const o = optionsOf(ctx, "bank", "accounts");
    const c = await connect(ctx, o);
    const node = await serverNode(c, ctx.node);
    const t = o.table;
    return {
      read: (accounts) =>
        inTransaction(c, o, async () => {
          const r = await c.query<{ id: number; balance: string }>(`SELECT id, balance FROM ${t} WHERE id = ANY($1::int[])`, [accounts]);
          return Object.fromEntries(r.rows.map((row) => [String(row.id), Number(row.balance)]));
        }, node),
      transfer: (from, to, amount) =>
        inTransaction(c, o, async () => {
          if (o.mode === "atomic") {
            const debit = await c.query(`UPDATE ${t} SET balance = balance - $2 WHERE id = $1 AND balance >= $2`, [from, amount]);
            if (debit.rowCount !== 1) return new Refused("insufficient-funds");
            await c.query(`UPDATE ${t} SET balance = balance + $2 WHERE id = $1`, [to, amount]);
            return null;
          }
          // The bug on purpose: read both balances, then write absolute values computed in the app.
          const r = await c.query<{ id: number; balance: string }>(`SELECT id, balance FROM ${t} WHERE id IN ($1, $2)`, [from, to]);
          const balance = new Map(r.rows.map((row) => [row.id, Number(row.balance)]));
          const a = balance.get(from) ?? 0;
          const b = balance.get(to) ?? 0;
          if (a < amount) return new Refused("insufficient-funds");
          await c.query(`UPDATE ${t} SET balance = $2 WHERE id = $1`, [from, a - amount]);
          await c.query(`UPDATE ${t} SET balance = $2 WHERE id = $1`, [to, b + amount]);
          return null;
        }, node),
      async close() {
        await c.end();
      },
    };
  },
};

export default client;
