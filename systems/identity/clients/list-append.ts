import type { ListAppendClient, ListAppendClientModule, ListAppendMop, TxnOutcome, WorkloadClientContext } from "../../../api/index.ts";
import { connectToPrimary, outcomeOf, PartialExecError, redisOptionsOf, waitShort, type RedisWaitOptions } from "./redis-primary.ts";

export { askOrder, outcomeOf, PartialExecError } from "./redis-primary.ts";

/**
 * A list-append client for the identity service's Redis (a `workload` traffic class's `client`), talking to Redis
 * directly. Each key's list is a Redis list: an append is `RPUSH`, a read `LRANGE 0 -1`; one transaction is one
 * `MULTI ... EXEC`, which Redis runs atomically (nothing interleaves), reads and all. The primary is found by asking
 * each server ROLE (redis-primary.ts).
 *
 * clientOptions:
 * - `waitReplicas` (default 0): after every transaction send `WAIT n waitTimeoutMs` on the same connection; the
 *   transaction is acknowledged (ok) only when WAIT answers >= n. Short of that, a transaction that appended is
 *   info (applied on the primary, maybe on no replica: a failover may discard it) and a read-only one fails (what it
 *   read is vouched for by no replica).
 * - `waitTimeoutMs` (default 500).
 * - `keyPrefix` (default "list-append:").
 */
export type RedisListAppendOptions = RedisWaitOptions;

export function optionsOf(options: WorkloadClientContext["options"]): RedisListAppendOptions {
  return redisOptionsOf(options, "list-append", "list-append:");
}

/** EXEC's answer as ioredis gives it: one [error, result] per queued command, or null when a WATCH aborted it. */
export type ExecResults = [Error | null, unknown][] | null;

/**
 * The micro-ops with every read filled in from EXEC's answer (the commands were queued one per micro-op, in order).
 * Throws PartialExecError if a command failed inside EXEC, and a plain error on an answer of the wrong shape.
 */
export function completeMops(mops: readonly ListAppendMop[], results: ExecResults): ListAppendMop[] {
  if (results === null) throw new Error("EXEC answered null (transaction aborted)");
  if (results.length !== mops.length) throw new Error(`EXEC answered ${results.length} results for ${mops.length} commands`);
  return mops.map((mop, i) => {
    const [error, value] = results[i]!;
    if (error) throw new PartialExecError(`command ${i + 1} of ${mops.length} failed inside EXEC: ${error.message}`);
    if (mop[0] === "append") return mop;
    if (!Array.isArray(value)) throw new Error(`LRANGE of key ${mop[1]} answered ${JSON.stringify(value)}, not a list`);
    return ["r", mop[1], value.map((e) => Number(e))];
  });
}

/**
 * What WAIT's answer makes of a transaction that EXEC ran: ok once `acked` >= `wanted`; short of it, info if it
 * appended (it is on the primary, perhaps on no replica) and fail (with a new connection) if it only read.
 */
export function afterWait(value: ListAppendMop[], acked: number, wanted: number, node: string): TxnOutcome {
  if (acked >= wanted) return { type: "ok", value, node };
  return waitShort(value.some((m) => m[0] === "append"), acked, wanted);
}

const client: ListAppendClientModule = {
  async open(ctx): Promise<ListAppendClient> {
    const o = optionsOf(ctx.options);
    const { redis, node } = await connectToPrimary(ctx);
    const key = (k: number) => `${o.keyPrefix}${k}`;
    return {
      async txn(mops) {
        const writes = mops.some((m) => m[0] === "append");
        let sent = false;
        try {
          if (redis.status !== "ready") throw new Error(`connection to ${node} is ${redis.status}`);
          const multi = redis.multi();
          for (const mop of mops) {
            if (mop[0] === "r") multi.lrange(key(mop[1]), 0, -1);
            else multi.rpush(key(mop[1]), String(mop[2]));
          }
          sent = true;
          const value = completeMops(mops, (await multi.exec()) as ExecResults);
          if (o.waitReplicas === 0) return { type: "ok", value, node };
          return afterWait(value, await redis.wait(o.waitReplicas, o.waitTimeoutMs), o.waitReplicas, node);
        } catch (error) {
          return outcomeOf(error, sent, writes);
        }
      },
      async close() {
        redis.disconnect();
      },
    };
  },
};

export default client;
