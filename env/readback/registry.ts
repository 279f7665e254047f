import { z } from "zod";
import { HttpReadback, httpReadback } from "./http.ts";
import { MysqlReadback, mysqlReadback } from "./mysql.ts";
import { PostgresReadback, postgresReadback } from "./postgres.ts";
import type { ReadbackKind } from "./readback-kind.ts";
import { RedisReadback, redisReadback } from "./redis.ts";

export { readbackFrom, type ReadFrom } from "./readback-fields.ts";

/**
 * Readback: after traffic (and once during the steady-state gate, to prove it works), read every id the store
 * holds, to compare with the writes the system acknowledged (Jepsen's final reads). One kind per store, keyed on
 * `kind`; each is one file of env/readback/ that tells "the store lost what it held" (missing table or key space,
 * wrong database: every acknowledged write is lost) apart from "the store cannot be reached" (unknown). Adding a
 * store is that file plus a line in each list below.
 */
export const Readback = z.discriminatedUnion("kind", [PostgresReadback, MysqlReadback, RedisReadback, HttpReadback]);
export type Readback = z.infer<typeof Readback>;
export type ReadbackInput = z.input<typeof Readback>;
export type PostgresReadbackInput = z.input<typeof PostgresReadback>;

const kinds: { [K in Readback["kind"]]: ReadbackKind<Extract<Readback, { kind: K }>> } = {
  postgres: postgresReadback,
  mysql: mysqlReadback,
  redis: redisReadback,
  http: httpReadback,
};

export function readbackKind<R extends Readback>(spec: R): ReadbackKind<R> {
  return kinds[spec.kind] as unknown as ReadbackKind<R>;
}
