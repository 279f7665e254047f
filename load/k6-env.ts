import { fileURLToPath } from "node:url";
import { InputError } from "../core/errors.ts";
import type { AbusiveClientClass, BuiltinK6Class, DeviceFleetClass, IdentityClientsClass, IdentityPeopleClass, K6ScriptClass, K6TrafficClass, UserSessionsClass } from "../core/traffic-spec.ts";
import { deviceFleetEnv, gracefulStopMsFor, k6Limits } from "./k6-process.ts";

/**
 * Builds what startK6 needs for each k6 process of a traffic class: the script, its HAVOC_* environment (bounds
 * and the loopback guard checked here, the last place that can refuse to start unbounded load) and the execution
 * segment of the process when the class is split over several (`processes`).
 */

const script = (name: string) => fileURLToPath(new URL(`./k6/${name}.ts`, import.meta.url));
export const k6ScriptPaths: Record<BuiltinK6Class["script"], string> = {
  "device-fleet": script("device-fleet"),
  "user-sessions": script("user-sessions"),
  "abusive-client": script("abusive-client"),
  "identity-clients": script("identity-clients"),
  "identity-people": script("identity-people"),
};

/** Run-wide values a class's environment needs besides its own fields. */
export interface K6EnvContext {
  /** http://127.0.0.1:<port> of the class's target (the first of its servers for a server-list class). */
  targetUrl: string;
  /** A server-list class's servers, in list order, as http://127.0.0.1:<port>. Default [targetUrl]. */
  serverUrls?: string[];
  /** Value of the class's keySecret ("" when the class has none). */
  deviceKeySecret: string;
  runId: string;
  /** For a `script: "k6"` class: the user's script as bundled for k6 (load/k6-bundle.ts). */
  bundledScriptPath?: string;
  /** Replaces `${secret:NAME}` in a `script: "k6"` class's env. */
  resolveSecrets?: (env: Record<string, string>) => Record<string, string>;
}

/** One k6 process of a class. */
export interface K6Launch {
  /** Distinct per process ("devices" or "devices.p2of3"): names the summary file; op lines keep the class name. */
  label: string;
  scriptPath: string;
  env: Record<string, string>;
  /** Scenario duration and gracefulStop, for startK6's safety net. */
  durationMs: number;
  gracefulStopMs: number;
}

/**
 * Execution segments of N processes: process i runs `i/N:(i+1)/N` of the sequence `0,1/N,...,1` (k6's
 * --execution-segment / --execution-segment-sequence; the scripts set them as options from HAVOC_SEGMENT*).
 * k6 then splits rates, VUs and iterations between the processes and keeps iteration and VU ids disjoint.
 */
export function executionSegments(processes: number): { segment: string; sequence: string }[] {
  if (!Number.isInteger(processes) || processes < 1) throw new InputError(`processes must be a positive integer, got ${processes}`);
  if (processes === 1) return [{ segment: "", sequence: "" }];
  const point = (i: number) => (i === 0 ? "0" : i === processes ? "1" : `${i}/${processes}`);
  const sequence = Array.from({ length: processes + 1 }, (_, i) => point(i)).join(",");
  return Array.from({ length: processes }, (_, i) => ({ segment: `${point(i)}:${point(i + 1)}`, sequence }));
}

function assertLoopback(traffic: string, targetUrl: string): void {
  const host = URL.canParse(targetUrl) ? new URL(targetUrl).hostname : "";
  if (host !== "127.0.0.1" && host !== "[::1]") {
    throw new InputError(`traffic ${traffic}: target ${targetUrl} is not loopback`, "load goes only to 127.0.0.1 / ::1 ports published by the run's own containers");
  }
}

function assertDuration(traffic: string, durationMs: number): void {
  if (!Number.isInteger(durationMs) || durationMs < k6Limits.minDurationMs || durationMs > k6Limits.maxDurationMs) {
    throw new InputError(`traffic ${traffic}: duration ${durationMs} ms must be in ${k6Limits.minDurationMs}..${k6Limits.maxDurationMs} ms`);
  }
}

function assertInt(traffic: string, what: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new InputError(`traffic ${traffic}: ${what} ${value} must be an integer in ${min}..${max}`);
}

/** Environment of load/k6/device-fleet.ts (the base bounds are deviceFleetEnv's), plus firmware retries. */
export function deviceFleetClassEnv(c: DeviceFleetClass, ctx: K6EnvContext): { env: Record<string, string>; gracefulStopMs: number } {
  const env = deviceFleetEnv({
    targetUrl: ctx.targetUrl,
    ratePerSecond: c.ratePerSecond,
    durationMs: c.duration,
    devices: c.devices,
    deviceKeySecret: ctx.deviceKeySecret,
    requestTimeoutMs: c.requestTimeout,
    maxVUs: c.maxVUs,
    traffic: c.name,
    runId: ctx.runId,
  });
  let gracefulStopMs = gracefulStopMsFor(c.requestTimeout);
  if (c.retries && c.retries.attempts > 1) {
    const r = c.retries;
    assertInt(c.name, "retries.attempts", r.attempts, 1, 10);
    assertInt(c.name, "retries.budget", r.budget, 0, 600_000);
    Object.assign(env, {
      HAVOC_RETRY_ATTEMPTS: String(r.attempts),
      HAVOC_RETRY_BASE_MS: String(r.baseDelay),
      HAVOC_RETRY_MAX_MS: String(r.maxDelay),
      HAVOC_RETRY_BUDGET_MS: String(r.budget),
    });
    gracefulStopMs += r.budget; // as the script computes it: a retrying iteration may outlast the scenario by the budget
  }
  return { env, gracefulStopMs };
}

/** Environment of load/k6/user-sessions.ts. */
export function userSessionsEnv(c: UserSessionsClass, ctx: K6EnvContext): { env: Record<string, string>; gracefulStopMs: number } {
  assertLoopback(c.name, ctx.targetUrl);
  assertDuration(c.name, c.duration);
  assertInt(c.name, "users", c.users, 1, k6Limits.maxVUs);
  if (!(c.rampUp >= 0 && c.rampUp < c.duration)) throw new InputError(`traffic ${c.name}: rampUp ${c.rampUp} ms must be shorter than duration ${c.duration} ms`);
  return {
    env: {
      HAVOC_TARGET_URL: ctx.targetUrl,
      HAVOC_USERS: String(c.users),
      HAVOC_DURATION_MS: String(c.duration),
      HAVOC_RAMP_UP_MS: String(c.rampUp),
      HAVOC_REQUESTS_PER_MINUTE: String(c.requestsPerMinute),
      HAVOC_WRITES_PER_MINUTE: String(c.writesPerMinute),
      HAVOC_PROJECTS: String(c.projects),
      HAVOC_TIMEOUT_MS: String(c.requestTimeout),
      HAVOC_DEVICE_KEY_SECRET: ctx.deviceKeySecret,
      HAVOC_TRAFFIC: c.name,
      HAVOC_RUN_ID: ctx.runId,
    },
    gracefulStopMs: gracefulStopMsFor(c.requestTimeout),
  };
}

/** Environment of load/k6/abusive-client.ts. */
export function abusiveClientEnv(c: AbusiveClientClass, ctx: K6EnvContext): { env: Record<string, string>; gracefulStopMs: number } {
  assertLoopback(c.name, ctx.targetUrl);
  assertDuration(c.name, c.duration);
  assertInt(c.name, "rate", c.ratePerSecond, 1, k6Limits.maxRatePerSecond);
  assertInt(c.name, "maxVUs", c.maxVUs, 1, k6Limits.maxVUs);
  return {
    env: {
      HAVOC_TARGET_URL: ctx.targetUrl,
      HAVOC_RATE: String(c.ratePerSecond),
      HAVOC_DURATION_MS: String(c.duration),
      HAVOC_TIMEOUT_MS: String(c.requestTimeout),
      HAVOC_MAX_VUS: String(c.maxVUs),
      HAVOC_IDENTITY: c.identity,
      HAVOC_DEVICE: String(c.device),
      HAVOC_DEVICE_KEY_SECRET: ctx.deviceKeySecret,
      HAVOC_TRAFFIC: c.name,
      HAVOC_RUN_ID: ctx.runId,
    },
    gracefulStopMs: gracefulStopMsFor(c.requestTimeout),
  };
}

/**
 * Environment of the user's own k6 script: the run's settings as HAVOC_* (read by the helpers of `havoc/k6`) plus
 * the class's `env`. The script sets its own executors; `havocOptions()` of havoc/k6 gives them HAVOC_DURATION_MS
 * and HAVOC_GRACEFUL_STOP_MS, and startK6's safety net bounds the process whatever the script does.
 */
export function k6ScriptEnv(c: K6ScriptClass, ctx: K6EnvContext): { env: Record<string, string>; gracefulStopMs: number } {
  assertLoopback(c.name, ctx.targetUrl);
  assertDuration(c.name, c.duration);
  for (const key of Object.keys(c.env)) if (/^(HAVOC_|K6_)/i.test(key)) throw new InputError(`traffic ${c.name}: env ${key}: names starting with HAVOC_ or K6_ are reserved`);
  const gracefulStopMs = gracefulStopMsFor(c.requestTimeout);
  return {
    env: {
      ...(ctx.resolveSecrets ? ctx.resolveSecrets(c.env) : c.env),
      HAVOC_TARGET_URL: ctx.targetUrl,
      HAVOC_DURATION_MS: String(c.duration),
      HAVOC_TIMEOUT_MS: String(c.requestTimeout),
      HAVOC_GRACEFUL_STOP_MS: String(gracefulStopMs),
      HAVOC_TRAFFIC: c.name,
      HAVOC_RUN_ID: ctx.runId,
      ...(c.keySecret !== undefined ? { HAVOC_KEY_SECRET: ctx.deviceKeySecret } : {}),
    },
    gracefulStopMs,
  };
}

/** What both identity scripts need: the server list and how clients move along it (load/k6/lib/server-list.ts). */
function serverListEnv(c: IdentityClientsClass | IdentityPeopleClass, ctx: K6EnvContext): { env: Record<string, string>; attempts: number } {
  const urls = ctx.serverUrls ?? [ctx.targetUrl];
  if (urls.length !== c.servers.length) throw new InputError(`traffic ${c.name}: ${c.servers.length} servers listed, ${urls.length} URLs given`);
  for (const url of urls) assertLoopback(c.name, url);
  assertDuration(c.name, c.duration);
  const attempts = c.attempts ?? urls.length;
  return {
    attempts,
    env: {
      HAVOC_SERVERS: urls.join(","),
      HAVOC_RESUME: c.resume,
      HAVOC_SPREAD: c.spread ? "1" : "0",
      HAVOC_ATTEMPTS: String(attempts),
      HAVOC_DURATION_MS: String(c.duration),
      HAVOC_TIMEOUT_MS: String(c.requestTimeout),
      // Accounts' passwords are derived from this secret, so no password is ever printed.
      HAVOC_PASSWORD_SECRET: ctx.deviceKeySecret,
      HAVOC_TRAFFIC: c.name,
      HAVOC_RUN_ID: ctx.runId,
    },
  };
}

/** Environment of load/k6/identity-clients.ts. */
export function identityClientsEnv(c: IdentityClientsClass, ctx: K6EnvContext): { env: Record<string, string>; gracefulStopMs: number } {
  const { env, attempts } = serverListEnv(c, ctx);
  assertInt(c.name, "rate", c.ratePerSecond, 1, k6Limits.maxRatePerSecond);
  assertInt(c.name, "clients", c.clients, 1, k6Limits.maxVUs);
  // A request may go through every attempt, each up to its timeout, after the scenario's end.
  return { env: { ...env, HAVOC_RATE: String(c.ratePerSecond), HAVOC_CLIENTS: String(c.clients) }, gracefulStopMs: attempts * c.requestTimeout + 1_000 };
}

/** Environment of load/k6/identity-people.ts. */
export function identityPeopleEnv(c: IdentityPeopleClass, ctx: K6EnvContext): { env: Record<string, string>; gracefulStopMs: number } {
  const { env, attempts } = serverListEnv(c, ctx);
  assertInt(c.name, "users", c.users, 1, k6Limits.maxVUs);
  if (!(c.rampUp >= 0 && c.rampUp < c.duration)) throw new InputError(`traffic ${c.name}: rampUp ${c.rampUp} ms must be shorter than duration ${c.duration} ms`);
  return {
    env: { ...env, HAVOC_USERS: String(c.users), HAVOC_RAMP_UP_MS: String(c.rampUp), HAVOC_REQUESTS_PER_MINUTE: String(c.requestsPerMinute) },
    gracefulStopMs: attempts * c.requestTimeout + 1_000,
  };
}

function classEnv(c: K6TrafficClass, ctx: K6EnvContext): { env: Record<string, string>; gracefulStopMs: number } {
  switch (c.script) {
    case "device-fleet":
      return deviceFleetClassEnv(c, ctx);
    case "user-sessions":
      return userSessionsEnv(c, ctx);
    case "abusive-client":
      return abusiveClientEnv(c, ctx);
    case "identity-clients":
      return identityClientsEnv(c, ctx);
    case "identity-people":
      return identityPeopleEnv(c, ctx);
    case "k6":
      return k6ScriptEnv(c, ctx);
  }
}

/** The k6 processes of one class: the same script and environment, one execution segment each. */
export function k6Launches(c: K6TrafficClass, ctx: K6EnvContext): K6Launch[] {
  if (c.script === "k6" && ctx.bundledScriptPath === undefined) throw new InputError(`traffic ${c.name}: its script ${c.file} was not bundled for k6`);
  const { env, gracefulStopMs } = classEnv(c, ctx);
  const segments = executionSegments(c.processes);
  return segments.map(({ segment, sequence }, i) => ({
    label: segments.length === 1 ? c.name : `${c.name}.p${i + 1}of${segments.length}`,
    scriptPath: c.script === "k6" ? ctx.bundledScriptPath! : k6ScriptPaths[c.script],
    env: segment === "" ? env : { ...env, HAVOC_SEGMENT: segment, HAVOC_SEGMENT_SEQUENCE: sequence },
    durationMs: c.duration,
    gracefulStopMs,
  }));
}
