import { fileURLToPath } from "node:url";
import { z } from "zod";
import { identityServerList, identityServers, redisPort } from "./topology.ts";
import { DurationText, k6Traffic, parseDuration, parseHelperOptions, workloadTraffic, type K6TrafficInput, type TrafficTarget, type WorkloadTrafficInput } from "../../api/index.ts";

/**
 * The identity service's clients, as k6 scripts of this module run through havoc's public path (`script: "k6"`
 * with a list of `servers`): each client holds the server list and moves to the next server when a request fails
 * (refused, reset, a 5xx) or times out. Every attempt is its own op line; a write sent again keeps its id.
 */

const script = (name: string) => fileURLToPath(new URL(`./k6/${name}.ts`, import.meta.url));
const duration = DurationText;

const serverListFields = {
  name: z.string(),
  /** The servers every client holds, in the order it tries them. */
  servers: z.array(z.object({ node: z.string(), port: z.number() }) as z.ZodType<TrafficTarget>).min(1).max(16),
  duration,
  /** Per-request timeout; a timeout is an unknown outcome. Default 2 s. */
  requestTimeout: duration.default("2s"),
  /**
   * Where a client's next request starts. "last-good" (default): at the server that answered its last request, so a
   * client that moved on stays moved; "first": at the top of its list every time, as a client without memory would.
   */
  resume: z.enum(["last-good", "first"]).default("last-good"),
  /** Client n holds the list rotated by n, so clients start on different servers. Default false. */
  spread: z.boolean().default(false),
  /** Attempts per request at most, the first included. Default: one per server in the list. */
  attempts: z.number().int().min(1).max(16).optional(),
  /** Secret the accounts' passwords are derived from (so no password is ever printed). */
  keySecret: z.string(),
  /** k6 processes the class is split over. Default 1. */
  processes: z.number().int().min(1).max(16).default(1),
};

type ServerListOptions = z.infer<z.ZodObject<typeof serverListFields>>;

/** The k6 class both scripts share: the server list, how clients move along it, and a graceful stop long enough
 * for a request that goes through every server, each up to its timeout. */
function serverListClass(o: ServerListOptions, file: string, env: Record<string, string>): K6TrafficInput {
  const attempts = o.attempts ?? o.servers.length;
  return k6Traffic({
    name: o.name,
    file,
    servers: o.servers,
    duration: o.duration,
    requestTimeout: o.requestTimeout,
    processes: o.processes,
    keySecret: o.keySecret,
    checksReadYourWrites: true,
    gracefulStop: `${attempts * parseDuration(o.requestTimeout) + 1_000}ms`,
    env: { RESUME: o.resume, SPREAD: o.spread ? "1" : "0", ATTEMPTS: String(attempts), ...env },
  });
}

const IdentityClientsOptions = z
  .object({
    ...serverListFields,
    /** Requests started per second over the whole class (attempts at further servers come on top). */
    ratePerSecond: z.number().int().positive().max(10_000),
    /** Clients (k6 VUs, each with its own state); keep it above ratePerSecond x the slowest request. Default 100. */
    clients: z.number().int().positive().max(5_000).default(100),
  })
  .strict();

/**
 * Services calling the identity API (open model): register, log in, introspect an acknowledged token (a read that
 * must find it: one that no longer validates is a stale read), change a password. k6/identity-clients.ts.
 */
export function identityClients(options: z.input<typeof IdentityClientsOptions>): K6TrafficInput {
  const o = parseHelperOptions(IdentityClientsOptions, options, `identityClients(${options.name})`);
  return serverListClass(o, script("identity-clients"), { RATE_PER_SECOND: String(o.ratePerSecond), CLIENTS: String(o.clients) });
}

const IdentityPeopleOptions = z
  .object({
    ...serverListFields,
    users: z.number().int().positive().max(5_000),
    /** Requests per person per minute, think time included. Default 30. */
    requestsPerMinute: z.number().positive().max(600).default(30),
    /** Time over which the people arrive (linear ramp from 0 VUs). Default 5 s. */
    rampUp: duration.default("5s"),
  })
  .strict()
  .refine((c) => parseDuration(c.rampUp) < parseDuration(c.duration), { message: "rampUp must be shorter than duration", path: ["rampUp"] });

/**
 * People signing in (closed model): register once, then log in, check at once that the new token validates
 * (read-your-writes), use it a few times, now and then change the password. k6/identity-people.ts.
 */
export function identityPeople(options: z.input<typeof IdentityPeopleOptions>): K6TrafficInput {
  const o = parseHelperOptions(IdentityPeopleOptions, options, `identityPeople(${options.name})`);
  return serverListClass(o, script("identity-people"), { USERS: String(o.users), RAMP_UP_MS: String(parseDuration(o.rampUp)), REQUESTS_PER_MINUTE: String(o.requestsPerMinute) });
}

/** Services and people, each client holding the list id-1, id-2, id-3 and starting where its spread puts it. */
export const identityTraffic = (durationS = 60): K6TrafficInput[] => [
  identityClients({ name: "clients", servers: identityServerList(), spread: true, ratePerSecond: 40, clients: 100, duration: `${durationS}s`, keySecret: "client-passwords" }),
  identityPeople({ name: "people", servers: identityServerList(), spread: true, users: 30, requestsPerMinute: 30, rampUp: "3s", duration: `${durationS}s`, keySecret: "client-passwords" }),
];

/** What a list-append workload on the identity service's Redis does (clients/list-append.ts). */
export interface IdentityListAppendOptions {
  name?: string;
  durationS: number;
  /** WAIT for this many replicas after every transaction (ok only when they acknowledge). Default 0: no WAIT. */
  waitReplicas?: number;
  /** WAIT's timeout, ms. Default 500 (the app's own). */
  waitTimeoutMs?: number;
}

/**
 * Elle's list-append workload straight at the servers' Redis (each server's published 6379), each transaction one
 * MULTI/EXEC: 6 processes, bound round robin to id-1, id-2, id-3, each finding the primary by asking ROLE from its
 * own server on; 60 transactions/s of 1-4 micro-ops (half reads) over 3 keys at once. Keys live for 100 appends
 * (about 4 s), so a key written before a failover is still read and appended to after it.
 */
export function identityListAppend(o: IdentityListAppendOptions): WorkloadTrafficInput {
  return workloadTraffic({
    name: o.name ?? "txns",
    duration: `${o.durationS}s`,
    servers: identityServers.map((node) => ({ node, port: redisPort })),
    client: fileURLToPath(new URL("./clients/list-append.ts", import.meta.url)),
    clientOptions: { waitReplicas: o.waitReplicas ?? 0, waitTimeoutMs: o.waitTimeoutMs ?? 500 },
    concurrency: 6,
    ratePerSecond: 60,
    activeKeys: 3,
    maxAppendsPerKey: 100,
    minTxnLength: 1,
    maxTxnLength: 4,
    readPercent: 50,
    readBeforeAppendPercent: 50,
    requestTimeout: "3s",
    // WAIT short of its replicas is a definite failure of a read: the steady-state gate must not read it as sickness.
    gate: false,
  });
}

/** What a register workload on the identity service's Redis does (clients/register.ts). */
export interface IdentityRegisterOptions {
  name?: string;
  durationS: number;
  /** WAIT for this many replicas after every op (a write or CAS is ok only when they acknowledge). Default 0: no WAIT. */
  waitReplicas?: number;
  /** WAIT's timeout, ms. Default 500 (the app's own). */
  waitTimeoutMs?: number;
}

/**
 * Jepsen's cas-register straight at the servers' Redis (each server's published 6379): GET, SET and a Lua
 * compare-and-set, with the same 6 processes bound round robin to id-1, id-2, id-3 as the list-append workload, each
 * finding the primary by asking ROLE. 60 ops/s over 5 keys at once (50 % reads, 30 % CAS from the value last seen,
 * 20 % writes); each key retired after 150 ops (about 12 s), so keys written before a failover are read after it and
 * every key's linearizability search stays small. A discarded write shows in a register history only when an op
 * reads the key on the new primary before a write there overwrites it: hence many reads over several live keys (with
 * pgha's 3 keys and 40 % reads, one run's first op on each of the 3 keys after the demotion was a write, and the
 * history passed).
 */
export function identityRegister(o: IdentityRegisterOptions): WorkloadTrafficInput {
  return workloadTraffic({
    name: o.name ?? "registers",
    workload: "register",
    duration: `${o.durationS}s`,
    servers: identityServers.map((node) => ({ node, port: redisPort })),
    client: fileURLToPath(new URL("./clients/register.ts", import.meta.url)),
    clientOptions: { waitReplicas: o.waitReplicas ?? 0, waitTimeoutMs: o.waitTimeoutMs ?? 500 },
    concurrency: 6,
    ratePerSecond: 60,
    activeKeys: 5,
    maxOpsPerKey: 150,
    readPercent: 50,
    casPercent: 30,
    requestTimeout: "3s",
    // Refused CAS and WAIT short of its replicas are outcomes the workload expects, not a sick system.
    gate: false,
  });
}
