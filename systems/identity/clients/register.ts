import type { OpOutcome, RegisterClient, RegisterClientModule, WorkloadClientContext } from "../../../api/index.ts";
import { connectToPrimary, outcomeOf, redisOptionsOf, waitShort, type RedisWaitOptions } from "./redis-primary.ts";

/**
 * A register client for the identity service's Redis (a `workload` class with `workload: "register"`), talking to
 * Redis directly: one string key per register (`register:<key>`), a key never written reads as null. Read is `GET`,
 * write `SET`, compare-and-set one Lua script (CAS_SCRIPT), which Redis runs atomically. The primary is found by
 * asking each server ROLE (redis-primary.ts); a replica refuses the script and SET with READONLY before running
 * anything, which sends the process looking again.
 *
 * clientOptions:
 * - `waitReplicas` (default 0): after every op send `WAIT n waitTimeoutMs` on the same connection; the op is
 *   acknowledged only when WAIT answers >= n. Short of that, a write or a CAS that swapped is info (applied on the
 *   primary, perhaps on no replica: a failover may discard it, or not), and a read or a CAS that did not match fails
 *   with the reason (what it saw is vouched for by no replica, so the checker leaves it out).
 * - `waitTimeoutMs` (default 500).
 * - `keyPrefix` (default "register:").
 *
 * What WAIT vouches for: Redis counts the replicas that acknowledged this connection's last write; a connection that
 * has written nothing yet (a fresh process) passes WAIT at once for a read on a primary cut off from its replicas
 * (they stay listed until repl-timeout). So WAIT makes acknowledged writes durable, not reads current.
 */
export type RedisRegisterOptions = RedisWaitOptions;

export function optionsOf(options: WorkloadClientContext["options"]): RedisRegisterOptions {
  return redisOptionsOf(options, "register", "register:");
}

/**
 * Compare-and-set: 1 when the key held ARGV[1] and now holds ARGV[2], 0 when it held something else (or nothing).
 * `#!lua` with no flags declares a script that writes (Redis 7): a replica refuses it with READONLY, a primary short
 * of min-replicas-to-write with NOREPLICAS, both before running any of it.
 */
export const CAS_SCRIPT = `#!lua
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

/** The CAS script's answer: swapped (1) or not (0); anything else is an error (thrown). */
export function casSwapped(reply: unknown): boolean {
  if (reply === 1) return true;
  if (reply === 0) return false;
  throw new Error(`the CAS script answered ${JSON.stringify(reply)}, not 1 or 0`);
}

/** GET's answer as the register's value: null for a key never written, else the integer written. */
export function registerValue(key: number, reply: string | null): number | null {
  if (reply === null) return null;
  const value = Number(reply);
  if (!/^-?\d+$/.test(reply) || !Number.isSafeInteger(value)) throw new Error(`GET of key ${key} answered ${JSON.stringify(reply.slice(0, 40))}, not an integer the workload wrote`);
  return value;
}

/** What one op did on the primary, before WAIT: a read's value, a write, a CAS that swapped or did not. */
export type Applied<T> = { value: T; changed: boolean; matched: boolean };

/**
 * The outcome of an op the primary answered, given WAIT's answer (`acked` replicas; `wanted` 0 = no WAIT). Enough
 * replicas (or no WAIT): ok, or for a CAS that did not match a fail without error (the register's own "no", an
 * observation the checker uses). Short: info if it changed the register, else fail with the reason (left out).
 */
export function outcomeAfterWait<T>(applied: Applied<T>, acked: number, wanted: number, node: string): OpOutcome<T> {
  if (acked < wanted) return waitShort(applied.changed, acked, wanted);
  if (!applied.matched) return { type: "fail", cause: "cas-mismatch" };
  return { type: "ok", value: applied.value, node };
}

const client: RegisterClientModule = {
  async open(ctx): Promise<RegisterClient> {
    const o = optionsOf(ctx.options);
    const { redis, node } = await connectToPrimary(ctx);
    const name = (k: number) => `${o.keyPrefix}${k}`;
    /** Runs one op's command, then WAIT when asked; every error becomes fail or info (never thrown). */
    const run = async <T>(writes: boolean, command: () => Promise<Applied<T>>): Promise<OpOutcome<T>> => {
      let sent = false;
      try {
        if (redis.status !== "ready") throw new Error(`connection to ${node} is ${redis.status}`);
        sent = true;
        const applied = await command();
        const acked = o.waitReplicas === 0 ? 0 : await redis.wait(o.waitReplicas, o.waitTimeoutMs);
        return outcomeAfterWait(applied, acked, o.waitReplicas, node);
      } catch (error) {
        return outcomeOf(error, sent, writes);
      }
    };
    return {
      read: (key) => run(false, async () => ({ value: registerValue(key, await redis.get(name(key))), changed: false, matched: true })),
      write: (key, value) =>
        run(true, async () => {
          await redis.set(name(key), String(value));
          return { value: null, changed: true, matched: true };
        }),
      cas: (key, from, to) =>
        run(true, async () => {
          const swapped = casSwapped(await redis.eval(CAS_SCRIPT, 1, name(key), String(from), String(to)));
          return { value: null, changed: swapped, matched: swapped };
        }),
      async close() {
        redis.disconnect();
      },
    };
  },
};

export default client;
