import { z } from "zod";
import { DurationMs } from "./duration.ts";
import { NodeName } from "./topology.ts";

/** Where traffic goes: a node's container port, reached through its 127.0.0.1 published port. */
export const TrafficTarget = z.object({ node: NodeName, port: z.number().int().min(1).max(65535) }).strict();

const Duration = DurationMs.pipe(z.number().min(1_000, "expected at least 1 s").max(86_400_000, "expected at most 24 h"));

/** Fields every traffic class has, whatever drives it, except where it goes (one `target`, or a list of `servers`). */
const baseFields = {
  /** Name used by SLOs and reports, e.g. "devices". */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, "expected a lower-case name"),
  /** How long this class runs; at least 1 s, at most 24 h. */
  duration: Duration,
  /** Per-request (browser: per-step) timeout; a timeout is an unknown outcome. Default 2 s. */
  requestTimeout: DurationMs.default(2_000),
  /**
   * Name of the scenario secret from which device API keys are derived. Default "device-key". Every class has it
   * (the scenario checks it is declared); browser classes do not use it.
   */
  keySecret: z.string().default("device-key"),
  /**
   * Whether the steady-state gate judges this class (its success % before the first fault). Default true;
   * abusive-client defaults to false, since being rejected (429) is what it is for.
   */
  gate: z.boolean().default(true),
};

/** Fields of classes that send everything to one target. */
const commonFields = { ...baseFields, target: TrafficTarget };

/** Fields of classes driven by k6. */
const k6Fields = {
  /**
   * k6 processes this class is split over (execution segments: process i of N runs segment i/N..(i+1)/N of
   * every executor, so rates, VUs and iterations divide and the ids stay unique). Default 1.
   */
  processes: z.number().int().min(1).max(16).default(1),
};

/**
 * Firmware retries of one reading: after an unknown outcome (timeout, reset, 502/504) or a 503, the device waits
 * min(maxDelay, baseDelay * 2^(attempt-1)) * random[0.5, 1) ("equal jitter") and sends the same reading_id again.
 * Each attempt is its own op line with the same id. Bounded by `attempts` and by `budget`: no attempt starts
 * later than `budget` after the first one did. A 2xx or any other 4xx/5xx ends the iteration (a 429 is not
 * retried: the firmware would only add to the overload).
 */
export const FirmwareRetries = z
  .object({
    /** Attempts in total, the first included. Default 3. */
    attempts: z.number().int().min(1).max(10).default(3),
    /** Delay before the 2nd attempt, before jitter. Default 200 ms. */
    baseDelay: DurationMs.default(200),
    /** Upper bound of one delay, before jitter. Default 2 s. */
    maxDelay: DurationMs.default(2_000),
    /** Time from the first attempt's start after which no further attempt starts. Default 10 s. */
    budget: DurationMs.default(10_000),
  })
  .strict();
export type FirmwareRetries = z.infer<typeof FirmwareRetries>;

/** Devices posting readings with per-device API keys: open model (k6 constant-arrival-rate). */
export const DeviceFleetClass = z
  .object({
    script: z.literal("device-fleet"),
    ...commonFields,
    ...k6Fields,
    /** Open model: readings started per second over the whole class (all processes). */
    ratePerSecond: z.number().int().positive().max(10_000),
    /** Distinct devices (API keys). Default 50. Keep ratePerSecond/devices well below trackr's 20 req/s per key. */
    devices: z.number().int().positive().max(100_000).default(50),
    /** Upper bound of k6 VUs for the arrival rate (whole class). Default 200. */
    maxVUs: z.number().int().positive().max(5_000).default(200),
    /** Firmware retries. Omitted: one attempt per reading (each op line is one reading, as before retries existed). */
    retries: FirmwareRetries.optional(),
  })
  .strict();

/**
 * People using the dashboard API: closed model (k6 ramping-vus, one VU per person). Each person loops: think, then
 * one request; `writesPerMinute` of `requestsPerMinute` are writes (POST /api/readings as the person's own device
 * `dev-<1000000 + user>`), the other reads split 80 % GET /api/projects/<own project>/readings?limit=20,
 * 10 % GET /, 10 % a cheap GET /lb-health. Think times are exponential, mean 60 s / requestsPerMinute minus the
 * request's own latency. Every request sends `X-User: user-<n>` (trackr has no sign-in; this stands in for a
 * session), so trackr's per-user rate limit applies.
 */
export const UserSessionsClass = z
  .object({
    script: z.literal("user-sessions"),
    ...commonFields,
    ...k6Fields,
    /** Concurrent people (VUs, whole class). The design's peak is 2,500. */
    users: z.number().int().positive().max(5_000),
    /** Requests per person per minute, think time included. Default 100 (the design's model). */
    requestsPerMinute: z.number().positive().max(600).default(100),
    /** Writes per person per minute. Default 1. */
    writesPerMinute: z.number().min(0).max(600).default(1),
    /** Time over which the people arrive (linear ramp from 0 VUs). Default 10 s. */
    rampUp: DurationMs.default(10_000),
    /** Projects of trackr (the server's PROJECTS). Default 5. */
    projects: z.number().int().positive().max(10_000).default(5),
  })
  .strict()
  .refine((c) => c.writesPerMinute <= c.requestsPerMinute, { message: "writesPerMinute must not exceed requestsPerMinute", path: ["writesPerMinute"] })
  .refine((c) => c.rampUp < c.duration, { message: "rampUp must be shorter than duration", path: ["rampUp"] });

/**
 * One client far over the limits (open model, constant-arrival-rate). identity "api-key": every request is a
 * POST /api/readings with the same device key (per-key limit); "ip": anonymous GET /api/projects/1/readings
 * (no key, no user: the per-IP limit).
 */
export const AbusiveClientClass = z
  .object({
    script: z.literal("abusive-client"),
    ...commonFields,
    gate: z.boolean().default(false),
    ...k6Fields,
    /** Requests per second. Default 200. */
    ratePerSecond: z.number().int().positive().max(10_000).default(200),
    identity: z.enum(["api-key", "ip"]).default("api-key"),
    /** Device whose key is abused (identity "api-key"). Default 999999. */
    device: z.number().int().positive().max(999_999_999).default(999_999),
    /** Upper bound of k6 VUs. Default 100. */
    maxVUs: z.number().int().positive().max(5_000).default(100),
  })
  .strict();

/**
 * People in a real browser (playwright-core + Debian chromium): open the dashboard (GET /), see the latest reading,
 * wait until a newer one appears. `contexts` journeys run at once at most; a journey starts every
 * 60 s / journeysPerMinute (a start that finds every context busy is dropped and counted). Every step is a
 * "read" op; a failed step's screenshot lands in <run dir>/screenshots/. trackr has no sign-in, so there is no
 * sign-in step.
 */
export const BrowserClass = z
  .object({
    script: z.literal("browser"),
    ...commonFields,
    /** Per-step timeout. Default 15 s (the newer reading must appear within it). */
    requestTimeout: DurationMs.default(15_000),
    /** Browser contexts (people) at once. Default 2. */
    contexts: z.number().int().min(1).max(20).default(2),
    /** Journeys started per minute (all contexts). Default 12. */
    journeysPerMinute: z.number().positive().max(600).default(12),
    /** At most this many journeys in total. Default 1000. */
    maxJourneys: z.number().int().positive().max(100_000).default(1_000),
  })
  .strict();

/**
 * The user's own k6 script (TypeScript or JavaScript), for a system that is not one of havoc's. It reports every op
 * with the helpers of `havoc/k6` (one op line per request: the timeline and the write ledger are fed from them) and
 * reads its settings from __ENV: havoc sets HAVOC_TARGET_URL (the target's 127.0.0.1 port), HAVOC_DURATION_MS,
 * HAVOC_TIMEOUT_MS, HAVOC_TRAFFIC, HAVOC_RUN_ID and the execution segment, plus `env`. havoc bundles the script with
 * esbuild before k6 runs it, so it may import `havoc/k6`, relative files and npm packages like any module.
 */
export const K6ScriptClass = z
  .object({
    script: z.literal("k6"),
    ...commonFields,
    /** Secret whose value the script gets as HAVOC_KEY_SECRET (e.g. to derive API keys). Default none. */
    keySecret: z.string().optional(),
    ...k6Fields,
    /** The script, relative to the scenario file (the loader makes it absolute). */
    file: z.string().min(1).regex(/\.(ts|mts|js|mjs)$/, "expected a .ts, .mts, .js or .mjs file"),
    /**
     * Extra __ENV for the script. A value may contain `${secret:NAME}`. Names starting with HAVOC_ (havoc's) or K6_
     * (k6's own configuration, e.g. its usage report) are refused.
     */
    env: z
      .record(
        z
          .string()
          .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name")
          .refine((k) => !/^(HAVOC_|K6_)/i.test(k), "names starting with HAVOC_ or K6_ are reserved"),
        z.string(),
      )
      .default({}),
  })
  .strict();

/**
 * Clients that hold a list of servers (the identity design: no load balancer, each client knows the three servers)
 * and move to the next one when a request fails (connection refused or reset, a 5xx) or times out. Every attempt is
 * its own op line; a write sent again to the next server keeps its id (the servers treat it as the same request).
 */
const serverListFields = {
  /** The servers every client holds, in the order it tries them (each a node's port, through its 127.0.0.1 port). */
  servers: z.array(TrafficTarget).min(1).max(16),
  /**
   * Where a client's next request starts. "last-good" (default): at the server that answered its last request, so a
   * client that moved on stays moved; "first": at the top of its list every time, as a client without memory would.
   */
  resume: z.enum(["last-good", "first"]).default("last-good"),
  /** Client n holds the list rotated by n, so clients start on different servers. Default false: all start on the first. */
  spread: z.boolean().default(false),
  /** Attempts per request at most, the first included. Default: one per server in the list. */
  attempts: z.number().int().min(1).max(16).optional(),
};

function distinctServers(c: { servers: { node: string; port: number }[] }): boolean {
  return new Set(c.servers.map((t) => `${t.node}:${t.port}`)).size === c.servers.length;
}

/**
 * Services calling the identity API (open model, constant-arrival-rate): each k6 VU is one client with its own
 * accounts and session tokens. Per request: register a new account (when it has none, else 10 %), log in for a new
 * session token (30 %), introspect one of its acknowledged tokens (50 %, a read that must find it: a token that
 * no longer validates is a stale read), change a password (10 %). Ids (accounts, sessions, password changes) are
 * `<run>-<class>-...`, unique per run; the ledger ids are the Redis keys the writes create.
 */
export const IdentityClientsClass = z
  .object({
    script: z.literal("identity-clients"),
    ...baseFields,
    ...k6Fields,
    ...serverListFields,
    /** Requests started per second over the whole class (attempts at further servers come on top). */
    ratePerSecond: z.number().int().positive().max(10_000),
    /**
     * Clients (k6 VUs, each with its own state); also the VUs k6 may use at most, so keep it above ratePerSecond x
     * the slowest request (every attempt timing out). Default 100.
     */
    clients: z.number().int().positive().max(5_000).default(100),
  })
  .strict()
  .refine(distinctServers, { message: "a server is listed twice", path: ["servers"] });

/**
 * People signing in (closed model, ramping-vus, one VU per person): register once, then log in, check at once that
 * the new session token validates (read-your-writes: a token just issued that does not validate is a stale read),
 * introspect it a few times while using the product, now and then change the password and log in with the new
 * one. Think times are exponential with mean 60 s / requestsPerMinute.
 */
export const IdentityPeopleClass = z
  .object({
    script: z.literal("identity-people"),
    ...baseFields,
    ...k6Fields,
    ...serverListFields,
    users: z.number().int().positive().max(5_000),
    /** Requests per person per minute, think time included. Default 30. */
    requestsPerMinute: z.number().positive().max(600).default(30),
    /** Time over which the people arrive (linear ramp from 0 VUs). Default 5 s. */
    rampUp: DurationMs.default(5_000),
  })
  .strict()
  .refine(distinctServers, { message: "a server is listed twice", path: ["servers"] })
  .refine((c) => c.rampUp < c.duration, { message: "rampUp must be shorter than duration", path: ["rampUp"] });

/**
 * A class of traffic: one of the built-in k6 scripts (load/k6/<script>.ts), the user's own k6 script, or browser
 * journeys.
 */
export const TrafficClass = z.discriminatedUnion("script", [DeviceFleetClass, UserSessionsClass, AbusiveClientClass, K6ScriptClass, BrowserClass, IdentityClientsClass, IdentityPeopleClass]);
export type TrafficClass = z.infer<typeof TrafficClass>;
export type DeviceFleetClass = z.infer<typeof DeviceFleetClass>;
export type UserSessionsClass = z.infer<typeof UserSessionsClass>;
export type AbusiveClientClass = z.infer<typeof AbusiveClientClass>;
export type BrowserClass = z.infer<typeof BrowserClass>;
export type K6ScriptClass = z.infer<typeof K6ScriptClass>;
export type K6TrafficClass = Exclude<TrafficClass, BrowserClass>;
/** Classes that run one of havoc's own k6 scripts. */
export type BuiltinK6Class = Exclude<K6TrafficClass, K6ScriptClass>;
export type IdentityClientsClass = z.infer<typeof IdentityClientsClass>;
export type IdentityPeopleClass = z.infer<typeof IdentityPeopleClass>;
export type TrafficTarget = z.infer<typeof TrafficTarget>;

/** Scripts whose reads check the client's own acknowledged writes (op lines with `stale`), for the stale-reads SLO. */
export const readYourWritesScripts: readonly TrafficClass["script"][] = ["user-sessions", "identity-people", "identity-clients"];

/** Where a class sends its requests: its one target, or its list of servers in the order the clients hold them. */
export function trafficTargets(c: TrafficClass): TrafficTarget[] {
  return "servers" in c ? c.servers : [c.target];
}
