import { z } from "zod";
import { DurationMs } from "./duration.ts";
import { NodeName } from "./topology.ts";

/**
 * Readback: after traffic (and once during the steady-state gate, to prove it works), read every id the store
 * holds, to compare with the writes the system acknowledged (Jepsen's final reads). One kind per store, keyed on
 * `kind`; each lives in env/readback/<kind>.ts and tells "the store lost what it held" (missing table or key
 * space, wrong database: every acknowledged write is lost) apart from "the store cannot be reached" (unknown).
 */

/** Where a readback reads: a fixed node, or whichever node of `role` is primary at readback time (the role probe). */
export const ReadFrom = z.union([
  z.object({ node: NodeName }).strict(),
  z.object({ primaryOf: z.string().min(1) }).strict(),
]);
export type ReadFrom = z.infer<typeof ReadFrom>;

const common = {
  /** Traffic class whose write ledger is compared. */
  traffic: z.string().min(1),
  /** Node to read from. Use `from` instead to read the current primary of a role. */
  node: NodeName.optional(),
  /** `{ node }` or `{ primaryOf: role }` (the topology's role probe picks the node at readback time). */
  from: ReadFrom.optional(),
  /**
   * Convergence: after the fault-free tail, read the same ids from every node listed (or every node of the role)
   * too; a node whose set differs from the primary's is named with the ids it lacks or has extra (the
   * `convergence` SLO). Each node must publish `port`.
   */
  convergence: z.union([z.object({ role: z.string().min(1) }).strict(), z.object({ nodes: z.array(NodeName).min(1) }).strict()]).optional(),
  /** How long an unreachable store is retried before the readback is given up as unknown. Default 60 s. */
  retryFor: DurationMs.default(60_000),
};

/** What an SQL store's readback names: where to log in, and the query whose first column is the stored ids. */
const sql = {
  database: z.string().min(1),
  user: z.string().min(1),
  /** May be `${secret:NAME}`. */
  password: z.string(),
  /** Returns the ids of stored writes in its first column. */
  idsQuery: z.string().min(1),
};

/** PostgreSQL (port 5432 by default). */
export const PostgresReadback = z.object({ kind: z.literal("postgres"), ...common, port: z.number().int().default(5432), ...sql }).strict();

/** MySQL / MariaDB (port 3306 by default). */
export const MysqlReadback = z.object({ kind: z.literal("mysql"), ...common, port: z.number().int().default(3306), ...sql }).strict();

/**
 * Redis: the ids are the members of a set (`set: KEY`), or the keys matching a pattern (`scan: PATTERN`, each key
 * with `stripPrefix` removed). A missing set or no matching key on a store that held them is an empty store.
 */
export const RedisReadback = z
  .object({
    kind: z.literal("redis"),
    ...common,
    port: z.number().int().default(6379),
    /** May be `${secret:NAME}`. Default none. */
    password: z.string().optional(),
    set: z.string().min(1).optional(),
    scan: z.string().min(1).optional(),
    stripPrefix: z.string().default(""),
  })
  .strict()
  .refine((r) => (r.set === undefined) !== (r.scan === undefined), { message: "give exactly one of set (a set's key) or scan (a key pattern)", path: ["set"] });

/** HTTP: GET `path` on the node's published port answers the ids, as a JSON array of strings or one id per line. */
export const HttpReadback = z
  .object({
    kind: z.literal("http"),
    ...common,
    port: z.number().int().min(1).max(65535),
    path: z.string().startsWith("/"),
    format: z.enum(["json", "lines"]).default("json"),
  })
  .strict();

export const Readback = z.discriminatedUnion("kind", [PostgresReadback, MysqlReadback, RedisReadback, HttpReadback]);
export type Readback = z.infer<typeof Readback>;
export type ReadbackInput = z.input<typeof Readback>;
export type PostgresReadbackInput = z.input<typeof PostgresReadback>;

/** The node or role a readback reads from, as written. */
export function readbackFrom(readback: Pick<Readback, "node" | "from">): ReadFrom | undefined {
  return readback.from ?? (readback.node !== undefined ? { node: readback.node } : undefined);
}
