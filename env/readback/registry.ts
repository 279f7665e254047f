import type { Readback } from "../../core/readback-spec.ts";
import { httpReadback } from "./http.ts";
import { mysqlReadback } from "./mysql.ts";
import { postgresReadback } from "./postgres.ts";
import type { ReadbackKind } from "./readback-kind.ts";
import { redisReadback } from "./redis.ts";

/** Every readback kind, keyed on `kind` (like faults/registry.ts). A new store is one file and one line here. */
const kinds: { [K in Readback["kind"]]: ReadbackKind<Extract<Readback, { kind: K }>> } = {
  postgres: postgresReadback,
  mysql: mysqlReadback,
  redis: redisReadback,
  http: httpReadback,
};

export function readbackKind<R extends Readback>(spec: R): ReadbackKind<R> {
  return kinds[spec.kind] as unknown as ReadbackKind<R>;
}
