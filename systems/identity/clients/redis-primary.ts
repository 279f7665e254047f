import { Redis } from "ioredis";
import type { WorkloadClientContext, WorkloadServer } from "../../../api/index.ts";

/**
 * What the identity service's workload clients (list-append.ts, register.ts) share: their WAIT options, one
 * connection to whichever server says it is the primary, and how an error tells a definite failure from an unknown
 * outcome.
 *
 * Finding the primary: the class lists every server's Redis (`servers`); a process starts at the server its slot
 * is bound to and asks each in turn `ROLE`, taking the first that says "master", as a client with a server list and
 * no Sentinel does. A refusal that says the server is no primary (READONLY, and the like) or a broken connection
 * makes the harness open a new connection, which asks again.
 */

export interface RedisWaitOptions {
  /** After every op send `WAIT n waitTimeoutMs` on the same connection. 0 (default): no WAIT. */
  waitReplicas: number;
  /** WAIT's timeout, ms. Default 500. */
  waitTimeoutMs: number;
  keyPrefix: string;
}

/** The options every client takes; `client` names it in messages, `defaultPrefix` keeps each workload's keys apart. */
export function redisOptionsOf(options: WorkloadClientContext["options"], client: string, defaultPrefix: string): RedisWaitOptions {
  const waitReplicas = Number(options.waitReplicas ?? 0);
  if (!Number.isInteger(waitReplicas) || waitReplicas < 0) throw new Error(`identity ${client} client: waitReplicas must be a non-negative integer, got ${String(options.waitReplicas)}`);
  const waitTimeoutMs = Number(options.waitTimeoutMs ?? 500);
  if (!Number.isInteger(waitTimeoutMs) || waitTimeoutMs < 1) throw new Error(`identity ${client} client: waitTimeoutMs must be a positive integer, got ${String(options.waitTimeoutMs)}`);
  const keyPrefix = String(options.keyPrefix ?? defaultPrefix);
  if (!/^[a-z0-9:_-]+$/.test(keyPrefix)) throw new Error(`identity ${client} client: bad keyPrefix "${keyPrefix}"`);
  return { waitReplicas, waitTimeoutMs, keyPrefix };
}

/** A command inside EXEC failed at run time: the others ran, so the transaction is neither all nor nothing. */
export class PartialExecError extends Error {}

/** Redis error codes (the reply's first word) after which nothing ran and the connection should go. */
const REFUSED_NOT_PRIMARY = new Set(["READONLY", "MASTERDOWN", "LOADING", "NOREPLICAS", "MISCONF", "EXECABORT"]);

/** A definite failure or an unknown outcome: the shape both clients' outcomes share. */
export type NotOk = { type: "fail"; cause: string; error: string; reconnect?: boolean } | { type: "info"; cause: string; error: string };

/**
 * How an op that threw ended. `sent`: its command(s) left for the server; `writes`: it may change data.
 * - Not sent (no ready connection): fail, reconnect.
 * - A reply error (the server answered): fail. READONLY, NOREPLICAS, EXECABORT, MISCONF... mean nothing ran; the
 *   connection is dropped so the next one finds the primary again.
 * - Anything else after sending (a timeout, a closed connection, a command failing inside EXEC): info for an op that
 *   writes (it may have run), fail for a read (it changed nothing).
 */
export function outcomeOf(error: unknown, sent: boolean, writes: boolean): NotOk {
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

/** What WAIT short of its replicas makes of an op: info if it changed data (on the primary, maybe on no replica), else fail. */
export function waitShort(changed: boolean, acked: number, wanted: number): NotOk {
  const error = `WAIT ${wanted}: ${acked} replica(s) acknowledged in time`;
  return changed ? { type: "info", cause: "wait-short", error } : { type: "fail", cause: "wait-short", error, reconnect: true };
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
    // A little under the harness's per-op timeout, so most stalls end as this client's own answer.
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
export async function connectToPrimary(ctx: WorkloadClientContext): Promise<{ redis: Redis; node: string }> {
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
