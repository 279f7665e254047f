/**
 * The identity service's Redis side: one ioredis client per app that finds the primary through Sentinel (ioredis's
 * own Sentinel support, no hand-written discovery), the Lua scripts that make each write atomic and idempotent, and
 * the WAIT that turns "applied on the primary" into "copied to N replicas" when the design asks for it.
 */
import { Redis, ReplyError } from "ioredis";

/** Where a failed Redis call leaves a write: surely not applied (503), or perhaps applied (504). */
export class StoreError extends Error {
  constructor(
    message: string,
    /** false: the write surely did not happen; "unknown": it may have. */
    readonly applied: false | "unknown",
    /** Short machine-readable reason: the Redis error code (NOREPLICAS, READONLY, MISCONF...) or timeout, unreachable. */
    readonly code: string,
  ) {
    super(message);
  }
}

export interface StoreOptions {
  nodeName: string;
  /** host:port of every Sentinel, this server's own first: ioredis asks them in order and uses the first that answers. */
  sentinels: { host: string; port: number }[];
  masterName: string;
  /** Deadline of one Redis command, ms (the app answers before the client's own timeout). */
  commandTimeoutMs: number;
  /** WAIT for this many replicas after every write; 0 = do not wait (Redis's default: asynchronous replication). */
  waitReplicas: number;
  /** WAIT's own timeout, ms. */
  waitTimeoutMs: number;
  log(message: string): void;
}

// KEYS[1] account:<id>. ARGV: password hash, node, now ms. 1 created, 0 the same registration again (a client retrying
// on the next server after a timeout), -1 the id is taken by someone else.
const registerScript = `
local pw = redis.call('HGET', KEYS[1], 'pw')
if pw then
  if pw == ARGV[1] then return 0 end
  return -1
end
redis.call('HSET', KEYS[1], 'pw', ARGV[1], 'created_by', ARGV[2], 'created_ms', ARGV[3])
return 1`;

// KEYS[1] account:<id>, KEYS[2] session:<id>. ARGV: password hash, secret, node, now ms, ttl ms, account id.
// {1, secret} created, {0, secret} the same login again, {-1} wrong password, {-2} no such account, {-3} session id taken.
const loginScript = `
local owner = redis.call('HGET', KEYS[2], 'account')
if owner then
  if owner == ARGV[6] then return {0, redis.call('HGET', KEYS[2], 'secret')} end
  return {-3}
end
local pw = redis.call('HGET', KEYS[1], 'pw')
if not pw then return {-2} end
if pw ~= ARGV[1] then return {-1} end
redis.call('HSET', KEYS[2], 'account', ARGV[6], 'secret', ARGV[2], 'created_by', ARGV[3], 'created_ms', ARGV[4])
redis.call('PEXPIRE', KEYS[2], ARGV[5])
return {1, ARGV[2]}`;

// KEYS[1] account:<id>, KEYS[2] pwchange:<id>. ARGV: old hash, new hash, node, now ms, account id.
// 1 changed, 0 the same change again, -1 wrong old password, -2 no such account.
const changePasswordScript = `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local pw = redis.call('HGET', KEYS[1], 'pw')
if not pw then return -2 end
if pw ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'pw', ARGV[2])
redis.call('HSET', KEYS[2], 'account', ARGV[5], 'by', ARGV[3], 'ms', ARGV[4])
return 1`;

type ScriptReply = number | [number, string?];

/** Redis error codes after which the command surely did not run. */
const REFUSED_CODES = new Set(["NOREPLICAS", "READONLY", "MISCONF", "MASTERDOWN", "LOADING", "NOSCRIPT", "BUSY", "OOM", "NOAUTH"]);

export class IdentityStore {
  readonly redis: Redis;
  readonly #options: StoreOptions;

  constructor(options: StoreOptions) {
    this.#options = options;
    this.redis = new Redis({
      sentinels: options.sentinels,
      name: options.masterName,
      role: "master",
      // ioredis subscribes to +switch-master on the Sentinels and reconnects at once when one announces a failover,
      // instead of waiting for its connection to the old primary to fail.
      failoverDetector: true,
      // Use exactly the configured Sentinels, in the configured order (own server's first).
      updateSentinels: false,
      connectTimeout: 1_000,
      sentinelCommandTimeout: 1_000,
      commandTimeout: options.commandTimeoutMs,
      // Reconnect quickly: a failover should cost the time Sentinel needs, not our backoff.
      retryStrategy: (attempt) => Math.min(50 * attempt, 500),
      sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
      // Requests that arrive while reconnecting wait in the offline queue, each bounded by commandTimeout, and are
      // rejected after two reconnections.
      enableOfflineQueue: true,
      maxRetriesPerRequest: 2,
      // A write that was sent but not answered when the connection dropped must not be sent again by the library:
      // its WAIT would then go on a new connection and count another write's replication.
      autoResendUnfulfilledCommands: false,
      // A primary that Sentinel turned into a replica answers READONLY: reconnect (asking Sentinel again), do not resend.
      reconnectOnError: (error) => (/^READONLY/.test(error.message) ? 1 : false),
    });
    // Errors at most once a second (a failover produces one per retry); status changes and Sentinel errors as they
    // come, at most 10 a second, so a stuck reconnection shows in the node's log.
    let lastErrorLogMs = 0;
    this.redis.on("error", (error: Error) => {
      if (Date.now() - lastErrorLogMs < 1_000) return;
      lastErrorLogMs = Date.now();
      options.log(`redis: ${error.message}`);
    });
    let windowStartMs = 0;
    let inWindow = 0;
    const note = (message: string) => {
      const now = Date.now();
      if (now - windowStartMs >= 1_000) {
        windowStartMs = now;
        inWindow = 0;
      }
      if (++inWindow <= 10) options.log(`redis: ${message}`);
    };
    this.redis.on("sentinelError", (error: Error) => note(`sentinel: ${error.message}`));
    for (const status of ["connect", "close", "reconnecting", "end"] as const) this.redis.on(status, () => note(`${status} (${this.redis.status})`));
    this.redis.on("ready", () => options.log(`redis: connected to the primary at ${describeStream(this.redis)}`));
    this.redis.defineCommand("identityRegister", { numberOfKeys: 1, lua: registerScript });
    this.redis.defineCommand("identityLogin", { numberOfKeys: 2, lua: loginScript });
    this.redis.defineCommand("identityChangePassword", { numberOfKeys: 2, lua: changePasswordScript });
  }

  /**
   * Runs one write script and, when the design asks for it, WAIT in the same pipeline, so both go on the same
   * connection (WAIT counts the replication of that connection's writes only). A WAIT that comes back short is
   * "maybe applied": the primary has the write, the replicas may not, and a failover may drop it.
   */
  async write(script: "identityRegister" | "identityLogin" | "identityChangePassword", keys: string[], args: (string | number)[]): Promise<ScriptReply> {
    const pipeline = this.redis.pipeline();
    (pipeline as unknown as Record<string, (...a: (string | number)[]) => unknown>)[script]!(...keys, ...args);
    const { waitReplicas, waitTimeoutMs } = this.#options;
    if (waitReplicas > 0) pipeline.call("WAIT", waitReplicas, waitTimeoutMs);
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (error) {
      throw classify(error);
    }
    if (!results) throw new StoreError("pipeline aborted", "unknown", "aborted");
    const [scriptError, reply] = results[0]!;
    if (scriptError) throw classify(scriptError);
    if (waitReplicas > 0) {
      const [waitError, acked] = results[1]!;
      // The script ran: whatever happens to WAIT, the write may be there.
      if (waitError) throw new StoreError(`written on the primary, WAIT failed: ${waitError.message}`, "unknown", "wait-failed");
      if (typeof acked !== "number" || acked < waitReplicas)
        throw new StoreError(`written on the primary, acknowledged by ${String(acked)} of ${waitReplicas} replicas within ${waitTimeoutMs} ms`, "unknown", "replication-timeout");
    }
    return reply as ScriptReply;
  }

  /** HGETALL of one key (reads go to the primary: ioredis's Sentinel role "master"). */
  async read(key: string): Promise<Record<string, string>> {
    try {
      return await this.redis.hgetall(key);
    } catch (error) {
      throw classify(error);
    }
  }

  async ping(): Promise<void> {
    try {
      await this.redis.ping();
    } catch (error) {
      throw classify(error);
    }
  }
}

function describeStream(redis: Redis): string {
  const stream = (redis as unknown as { stream?: { remoteAddress?: string; remotePort?: number } }).stream;
  return stream?.remoteAddress ? `${stream.remoteAddress}:${stream.remotePort}` : "?";
}

/** What a failed Redis call means for the write: an error reply refused it; a timeout or a lost connection may not have. */
export function classify(error: unknown): StoreError {
  if (error instanceof StoreError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ReplyError || /^[A-Z]+ /.test(message)) {
    const code = message.split(" ", 1)[0]!;
    return new StoreError(message, REFUSED_CODES.has(code) ? false : "unknown", code);
  }
  // Queued while disconnected and dropped before it was ever sent.
  if (/max retries per request|enableOfflineQueue|Stream isn't writeable/.test(message)) return new StoreError(message, false, "unreachable");
  // Sent, then the connection dropped or the deadline passed before the answer: it may have run.
  if (/timed out/i.test(message)) return new StoreError(message, "unknown", "timeout");
  if (/Connection is closed/.test(message)) return new StoreError(message, "unknown", "connection-closed");
  return new StoreError(message, "unknown", "error");
}
