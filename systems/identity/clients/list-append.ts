import { Redis } from "ioredis";
import type { ListAppendClient, ListAppendClientModule, ListAppendMop, TxnOutcome, WorkloadClientContext, WorkloadServer } from "../../../api/index.ts";

/**
 * A list-append client for the identity service's Redis (a `workload` traffic class's `client`), talking to Redis
 * directly. Each key's list is a Redis list: an append is `RPUSH`, a read `LRANGE 0 -1`; one transaction is one
 * `MULTI ... EXEC`, which Redis runs atomically (nothing interleaves), reads and all.
 *
 * Finding the primary: the class lists every server's Redis (`servers`); a process starts at the server its slot
 * is bound to and asks each in turn `ROLE`, taking the first that says "master", as a client with a server list and
 * no Sentinel does. A refusal that says the server is no primary (READONLY, and the like) or a broken connection
 * makes the harness open a new connection, which asks again.
 *
 * clientOptions:
 * - `waitReplicas` (default 0): after every transaction send `WAIT n waitTimeoutMs` on the same connection; the
 *   transaction is acknowledged (ok) only when WAIT answers >= n. Short of that, a transaction that appended is
 *   info (applied on the primary, maybe on no replica: a failover may discard it) and a read-only one fails (what it
 *   read is vouched for by no replica).
 * - `waitTimeoutMs` (default 500).
 * - `keyPrefix` (default "list-append:").
 */
export interface RedisListAppendOptions {
  waitReplicas: number;
  waitTimeoutMs: number;
  keyPrefix: string;
}

export function optionsOf(options: WorkloadClientContext["options"]): RedisListAppendOptions {
  const waitReplicas = Number(options.waitReplicas ?? 0);
  if (!Number.isInteger(waitReplicas) || waitReplicas < 0) throw new Error(`identity list-append client: waitReplicas must be a non-negative integer, got ${String(options.waitReplicas)}`);
  const waitTimeoutMs = Number(options.waitTimeoutMs ?? 500);
  if (!Number.isInteger(waitTimeoutMs) || waitTimeoutMs < 1) throw new Error(`identity list-append client: waitTimeoutMs must be a positive integer, got ${String(options.waitTimeoutMs)}`);
  const keyPrefix = String(options.keyPrefix ?? "list-append:");
  if (!/^[a-z0-9:_-]+$/.test(keyPrefix)) throw new Error(`identity list-append client: bad keyPrefix "${keyPrefix}"`);
  return { waitReplicas, waitTimeoutMs, keyPrefix };
}

/** EXEC's answer as ioredis gives it: one [error, result] per queued command, or null when a WATCH aborted it. */
export type ExecResults = [Error | null, unknown][] | null;

/** A command inside EXEC failed at run time: the others ran, so the transaction is neither all nor nothing. */
export class PartialExecError extends Error {}

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

/** Redis error codes (the reply's first word) after which nothing of the transaction ran and the connection should go. */
const REFUSED_NOT_PRIMARY = new Set(["READONLY", "MASTERDOWN", "LOADING", "NOREPLICAS", "MISCONF", "EXECABORT"]);

/**
 * How a transaction that threw ended. `sent`: MULTI ... EXEC left for the server; `writes`: it appended something.
 * - Not sent (no ready connection): fail, reconnect.
 * - A reply error (the server answered): fail. EXECABORT (a queued command was refused: READONLY on a replica,
 *   NOREPLICAS, MISCONF...) means nothing ran; the connection is dropped so the next one finds the primary again.
 * - Anything else after sending (a timeout, a closed connection, a command failing inside EXEC): info for a
 *   transaction that appended (it may have run), fail for a read-only one (it changed nothing).
 */
export function outcomeOf(error: unknown, sent: boolean, writes: boolean): TxnOutcome {
  const e = (error ?? {}) as { name?: string; message?: string };
  const message = e.message ?? String(error);
  const code = /^[A-Z]+/.exec(message)?.[0];
  if (!sent) return { type: "fail", cause: "not-connected", error: message, reconnect: true };
  if (e.name === "ReplyError" && code !== undefined && !(error instanceof PartialExecError)) {
    return { type: "fail", cause: code.toLowerCase(), error: message, ...(REFUSED_NOT_PRIMARY.has(code) ? { reconnect: true } : {}) };
  }
  const cause = error instanceof PartialExecError ? "partial-exec" : /timed? ?out/i.test(message) ? "timeout" : "connection";
  return writes ? { type: "info", cause, error: message } : { type: "fail", cause, error: message, reconnect: true };
}

/**
 * What WAIT's answer makes of a transaction that EXEC ran: ok once `acked` >= `wanted`; short of it, info if it
 * appended (it is on the primary, perhaps on no replica) and fail (with a new connection) if it only read.
 */
export function afterWait(value: ListAppendMop[], acked: number, wanted: number, node: string): TxnOutcome {
  if (acked >= wanted) return { type: "ok", value, node };
  const error = `WAIT ${wanted}: ${acked} replica(s) acknowledged in time`;
  return value.some((m) => m[0] === "append") ? { type: "info", cause: "wait-short", error } : { type: "fail", cause: "wait-short", error, reconnect: true };
}

/** The servers in the order a process asks them: from the one its slot is bound to, then on around the list. */
export function askOrder(servers: readonly WorkloadServer[], node: string): WorkloadServer[] {
  const start = Math.max(0, servers.findIndex((s) => s.node === node));
  return [...servers.slice(start), ...servers.slice(0, start)];
}

function connection(server: WorkloadServer, timeoutMs: number): Redis {
  const redis = new Redis({
    host: server.host,
    port: server.port,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    // A little under the harness's per-transaction timeout, so most stalls end as this client's own answer.
    commandTimeout: Math.max(200, timeoutMs - 500),
    // One connection, one outcome: never queue a command for later, never resend one on a new connection (WAIT counts
    // this connection's writes only), never reconnect behind the harness's back (it opens the next connection).
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined); // surfaces on the next command
  return redis;
}

/** A connection to the first server (in ask order) whose Redis says it is the primary. */
async function connectToPrimary(ctx: WorkloadClientContext): Promise<{ redis: Redis; node: string }> {
  const seen: string[] = [];
  for (const server of askOrder(ctx.servers, ctx.node)) {
    const redis = connection(server, ctx.timeoutMs);
    try {
      await redis.connect();
      const role = (await redis.call("ROLE")) as unknown[];
      if (role[0] === "master") return { redis, node: server.node };
      seen.push(`${server.node}: ${String(role[0])}`);
    } catch (error) {
      seen.push(`${server.node}: ${(error as Error).message}`);
    }
    redis.disconnect();
  }
  throw new Error(`no server says it is the primary (${seen.join("; ")})`);
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
