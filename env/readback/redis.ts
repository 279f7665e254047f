import { Redis } from "ioredis";
import { errorMessage } from "../../core/errors.ts";
import { READ_ATTEMPT_TIMEOUT_MS, type ReadbackKind, type ReadOutcome } from "./readback-kind.ts";
import { z } from "zod";
import { readbackCommon } from "./readback-fields.ts";

/**
 * Redis: the ids are the members of a set (`set: KEY`), or the keys matching a pattern (`scan: PATTERN`, each key
 * with `stripPrefix` removed). A missing set or no matching key on a store that held them is an empty store.
 */
export const RedisReadback = z
  .object({
    kind: z.literal("redis"),
    ...readbackCommon,
    port: z.number().int().default(6379),
    /** May be `${secret:NAME}`. Default none. */
    password: z.string().optional(),
    set: z.string().min(1).optional(),
    scan: z.string().min(1).optional(),
    stripPrefix: z.string().default(""),
  })
  .strict()
  .refine((r) => (r.set === undefined) !== (r.scan === undefined), { message: "give exactly one of set (a set's key) or scan (a key pattern)", path: ["set"] });
export type RedisReadback = z.infer<typeof RedisReadback>;

/** Keys asked per SCAN call: large enough to be quick, small enough not to block the server. */
const SCAN_COUNT = 1_000;

/**
 * Redis: the members of a set, or the keys matching a pattern. A set that does not exist, or a pattern that matches
 * nothing, on a store that held ids at the gate is an empty store (store-lost); LOADING, MASTERDOWN, refused and
 * timeouts are "unreachable".
 */
export const redisReadback: ReadbackKind<RedisReadback> = {
  schema: RedisReadback,
  describe: (spec) => (spec.set !== undefined ? `redis SMEMBERS ${spec.set}` : `redis SCAN MATCH ${spec.scan}`),
  async readOnce(spec, target, secrets): Promise<ReadOutcome> {
    const client = new Redis({
      host: target.address,
      port: target.hostPort,
      ...(spec.password !== undefined ? { password: secrets.resolve(spec.password) } : {}),
      lazyConnect: true,
      connectTimeout: READ_ATTEMPT_TIMEOUT_MS,
      commandTimeout: READ_ATTEMPT_TIMEOUT_MS,
      // One attempt: the caller retries with its own deadline.
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    client.on("error", () => undefined);
    try {
      await client.connect();
      if (spec.set !== undefined) {
        if ((await client.exists(spec.set)) === 0) return { kind: "store-lost", why: `set ${spec.set} does not exist` };
        return { kind: "ok", ids: await client.smembers(spec.set) };
      }
      const ids: string[] = [];
      let cursor = "0";
      do {
        const [next, keys] = await client.scan(cursor, "MATCH", spec.scan!, "COUNT", SCAN_COUNT);
        for (const key of keys) ids.push(key.startsWith(spec.stripPrefix) ? key.slice(spec.stripPrefix.length) : key);
        cursor = next;
      } while (cursor !== "0");
      if (ids.length === 0) return { kind: "store-lost", why: `no key matches ${spec.scan}` };
      // SCAN may return a key twice (rehashing); an id is stored once however often it is listed.
      return { kind: "ok", ids: [...new Set(ids)] };
    } catch (error) {
      return { kind: "unreachable", why: errorMessage(error) };
    } finally {
      client.disconnect();
    }
  },
};
