import { fileURLToPath } from "node:url";
import { z } from "zod";
import { DurationText, browserTraffic, k6Traffic, parseDuration, parseHelperOptions, type BrowserTrafficInput, type K6TrafficInput, type TrafficTarget } from "../../api/index.ts";

/**
 * trackr's traffic, as k6 scripts and a browser journey of this module run through havoc's public path (the
 * `script: "k6"` and `script: "browser"` classes a user's own traffic takes). Each helper validates its options
 * and returns the class. Ids are unique per run; every write carries the reading id the readback finds.
 */

const script = (name: string) => fileURLToPath(new URL(`./k6/${name}.ts`, import.meta.url));
const duration = DurationText;

/** Fields every trackr class takes: where it goes, how long, and how it splits over k6 processes. */
const common = {
  name: z.string(),
  target: z.object({ node: z.string(), port: z.number() }) as z.ZodType<TrafficTarget>,
  duration,
  /** Per-request timeout; a timeout is an unknown outcome. Default 2 s. */
  requestTimeout: duration.default("2s"),
  /** k6 processes the class is split over (execution segments). Default 1. */
  processes: z.number().int().min(1).max(16).default(1),
  /** Load generators on chosen hosts instead (one execution segment each, see k6Traffic's `generators`). Default none. */
  generators: z.array(z.object({ host: z.string() }).strict()).min(1).max(16).optional(),
  /** Secret the device API keys are derived from. Default "device-key". */
  keySecret: z.string().default("device-key"),
};

/**
 * Firmware retries of one reading: after an unknown outcome (timeout, reset, 502/504) or a 503, the device waits
 * min(maxDelay, baseDelay * 2^(attempt-1)) * random[0.5, 1) ("equal jitter") and sends the same reading_id again.
 * Each attempt is its own op line with the same id. Bounded by `attempts` and by `budget`.
 */
const FirmwareRetries = z
  .object({
    /** Attempts in total, the first included. Default 3. */
    attempts: z.number().int().min(1).max(10).default(3),
    /** Delay before the 2nd attempt, before jitter. Default 200 ms. */
    baseDelay: duration.default("200ms"),
    /** Upper bound of one delay, before jitter. Default 2 s. */
    maxDelay: duration.default("2s"),
    /** Time from the first attempt's start after which no further attempt starts. Default 10 s. */
    budget: duration.default("10s"),
  })
  .strict();

const DeviceFleetOptions = z
  .object({
    ...common,
    /** Open model: readings started per second over the whole class (all processes). */
    ratePerSecond: z.number().int().positive().max(10_000),
    /** Distinct devices (API keys). Default 50. Keep ratePerSecond/devices well below trackr's 20 req/s per key. */
    devices: z.number().int().positive().max(100_000).default(50),
    /** Upper bound of k6 VUs for the arrival rate (whole class). Default 200. */
    maxVUs: z.number().int().positive().max(5_000).default(200),
    /** Firmware retries. Omitted: one attempt per reading. */
    retries: FirmwareRetries.optional(),
  })
  .strict();

/** Devices posting readings with per-device API keys: open model (k6 constant-arrival-rate), k6/device-fleet.ts. */
export function deviceFleet(options: z.input<typeof DeviceFleetOptions>): K6TrafficInput {
  const o = parseHelperOptions(DeviceFleetOptions, options, `deviceFleet(${options.name})`);
  const timeoutMs = parseDuration(o.requestTimeout);
  const retries = o.retries && o.retries.attempts > 1 ? o.retries : undefined;
  return k6Traffic({
    name: o.name,
    file: script("device-fleet"),
    target: o.target,
    ratePerSecond: o.ratePerSecond,
    duration: o.duration,
    requestTimeout: o.requestTimeout,
    processes: o.processes,
    ...(o.generators ? { generators: o.generators } : {}),
    keySecret: o.keySecret,
    env: {
      RATE_PER_SECOND: String(o.ratePerSecond),
      DEVICES: String(o.devices),
      MAX_VUS: String(o.maxVUs),
      ...(retries
        ? {
            RETRY_ATTEMPTS: String(retries.attempts),
            RETRY_BASE_MS: String(parseDuration(retries.baseDelay)),
            RETRY_MAX_MS: String(parseDuration(retries.maxDelay)),
            RETRY_BUDGET_MS: String(parseDuration(retries.budget)),
          }
        : {}),
    },
    // A retrying iteration may run for the budget plus its last request's timeout after the end.
    gracefulStop: `${timeoutMs + 1_000 + (retries ? parseDuration(retries.budget) : 0)}ms`,
  });
}

const UserSessionsOptions = z
  .object({
    ...common,
    /** Concurrent people (VUs, whole class). The design's peak is 2,500. */
    users: z.number().int().positive().max(5_000),
    /** Requests per person per minute, think time included. Default 100 (the design's model). */
    requestsPerMinute: z.number().positive().max(600).default(100),
    /** Writes per person per minute. Default 1. */
    writesPerMinute: z.number().min(0).max(600).default(1),
    /** Time over which the people arrive (linear ramp from 0 VUs). Default 10 s. */
    rampUp: duration.default("10s"),
    /** Projects of trackr (the server's PROJECTS). Default 5. */
    projects: z.number().int().positive().max(10_000).default(5),
  })
  .strict()
  .refine((c) => c.writesPerMinute <= c.requestsPerMinute, { message: "writesPerMinute must not exceed requestsPerMinute", path: ["writesPerMinute"] })
  .refine((c) => parseDuration(c.rampUp) < parseDuration(c.duration), { message: "rampUp must be shorter than duration", path: ["rampUp"] });

/**
 * People using the dashboard API: closed model (k6 ramping-vus, one VU per person), k6/user-sessions.ts. Each
 * person loops: think, then one request; `writesPerMinute` of `requestsPerMinute` are writes as the person's own
 * device, the reads poll the dashboard, and the first read after an acknowledged write checks it is there
 * (read-your-writes: a miss is a stale read). Every request sends `X-User`, so trackr's per-user limit applies.
 */
export function userSessions(options: z.input<typeof UserSessionsOptions>): K6TrafficInput {
  const o = parseHelperOptions(UserSessionsOptions, options, `userSessions(${options.name})`);
  return k6Traffic({
    name: o.name,
    file: script("user-sessions"),
    target: o.target,
    duration: o.duration,
    requestTimeout: o.requestTimeout,
    processes: o.processes,
    ...(o.generators ? { generators: o.generators } : {}),
    keySecret: o.keySecret,
    checksReadYourWrites: true,
    env: {
      USERS: String(o.users),
      RAMP_UP_MS: String(parseDuration(o.rampUp)),
      REQUESTS_PER_MINUTE: String(o.requestsPerMinute),
      WRITES_PER_MINUTE: String(o.writesPerMinute),
      PROJECTS: String(o.projects),
    },
  });
}

const AbusiveClientOptions = z
  .object({
    ...common,
    /** Requests per second. Default 200. */
    ratePerSecond: z.number().int().positive().max(10_000).default(200),
    /** "api-key": every request posts with one device's key (the per-key limit); "ip": anonymous reads (per-IP). */
    identity: z.enum(["api-key", "ip"]).default("api-key"),
    /** Device whose key is abused (identity "api-key"). Default 999999. */
    device: z.number().int().positive().max(999_999_999).default(999_999),
    /** Upper bound of k6 VUs. Default 100. */
    maxVUs: z.number().int().positive().max(5_000).default(100),
  })
  .strict();

/** One client far over trackr's limits (open model), k6/abusive-client.ts; left out of the steady-state gate. */
export function abusiveClient(options: z.input<typeof AbusiveClientOptions>): K6TrafficInput {
  const o = parseHelperOptions(AbusiveClientOptions, options, `abusiveClient(${options.name})`);
  return k6Traffic({
    name: o.name,
    file: script("abusive-client"),
    target: o.target,
    ratePerSecond: o.ratePerSecond,
    duration: o.duration,
    requestTimeout: o.requestTimeout,
    processes: o.processes,
    ...(o.generators ? { generators: o.generators } : {}),
    keySecret: o.keySecret,
    // Being refused (429) is what it is for.
    gate: false,
    env: { RATE_PER_SECOND: String(o.ratePerSecond), IDENTITY: o.identity, DEVICE: String(o.device), MAX_VUS: String(o.maxVUs) },
  });
}

const DashboardBrowsersOptions = z
  .object({
    name: z.string(),
    target: common.target,
    duration,
    /** Per-step timeout. Default 15 s (the newer reading must appear within it). */
    requestTimeout: duration.default("15s"),
    /** Browser contexts (people) at once. Default 2. */
    contexts: z.number().int().min(1).max(20).default(2),
    /** Journeys started per minute (all contexts). Default 12. */
    journeysPerMinute: z.number().positive().max(600).default(12),
    /** At most this many journeys in total. Default 1000. */
    maxJourneys: z.number().int().positive().max(100_000).default(1_000),
  })
  .strict();

/** People watching the dashboard in a real browser until a newer reading appears (browser/dashboard-journey.ts). */
export function dashboardBrowsers(options: z.input<typeof DashboardBrowsersOptions>): BrowserTrafficInput {
  const o = parseHelperOptions(DashboardBrowsersOptions, options, `dashboardBrowsers(${options.name})`);
  return browserTraffic({ ...o, journey: fileURLToPath(new URL("./browser/dashboard-journey.ts", import.meta.url)) });
}
