import { fileURLToPath } from "node:url";
import { workloadTraffic, type K6TrafficInput, type WorkloadTrafficInput } from "../../api/index.ts";
import { contendedListAppendMix } from "../shared/list-append-mix.ts";
import { trackrDatabaseName } from "../trackr/topology.ts";
import { deviceFleet } from "../trackr/traffic.ts";
import { pghaDefaults } from "./topology.ts";

/** Device writes per second: enough that a second of lost replication is dozens of lost readings, light enough for 2 cores. */
export const pghaWriteRate = 40;

/**
 * Devices posting readings through trackr's balancer, one attempt each (no firmware retries), so every lost id is one
 * acknowledged write. 6 s timeout: longer than the app's 4 s query timeout, so a blocked commit comes back as the
 * app's 503, not as a client timeout. 400 VUs: while commits block, every request may take the whole 6 s, and
 * 40/s x 6 s = 240 requests in flight; k6's default 200 dropped iterations (measured: 23 in a synchronous zombie
 * run, which turned its outage SLO into "unknown").
 */
export function pghaDevices(durationS: number): K6TrafficInput {
  return deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: pghaWriteRate, devices: 40, maxVUs: 400, duration: `${durationS}s`, requestTimeout: "6s" });
}

/**
 * Failover claim: Patroni replaces a dead leader once its key expires (ttl), the next HA loop (loop_wait) promotes a
 * replica, and the routers (pgproxy's check every 0.5 s, the apps' pools, trackr's balancer's app checks) follow
 * within about 2 s. So writes work again within ttl + loop_wait + 3 s after the kill.
 */
export const failoverClaimMs = (pghaDefaults.ttl + pghaDefaults.loopWait + 3) * 1_000;

/**
 * Writes back after a whole-cluster restart, from the kill: 5 s down, up to ~10 s for six containers to start and
 * PostgreSQL to finish crash recovery on a loaded 2-core machine, then a failover's worth (ttl + loop_wait + 3 s):
 * the restarted leader's Patroni does not own the lease its key was written with ("I am the leader but not owner of
 * the lease"), so the key expires ttl after etcd is back and the leader race runs again.
 */
export const restartClaimMs = 5_000 + 10_000 + failoverClaimMs;

/** Replication delay put on the leader's link in the lagging-replica scenarios, ms. */
export const replicationDelayMs = 2_000;

/** What a list-append workload on pgha does (clients/list-append.ts). */
export interface PghaListAppendOptions {
  name?: string;
  /** Every transaction's isolation level. */
  isolation: "read-committed" | "repeatable-read" | "serializable";
  /** "atomic": one-statement appends; "read-then-write": SELECT then write the whole list back (the classic bug). */
  mode: "atomic" | "read-then-write";
  durationS: number;
  concurrency?: number;
  ratePerSecond?: number;
  /** The table holding the lists (two classes at once need two). Default "list_append". */
  table?: string;
}

/**
 * Elle's list-append workload straight at the primary through pgproxy:5000: 6 processes, 60 transactions/s of the
 * shared contended mix (contendedListAppendMix: 3 keys at once, 1-4 micro-ops, half reads, half the appends read
 * their key first), where lost updates and write skew live.
 */
export function pghaListAppend(o: PghaListAppendOptions): WorkloadTrafficInput {
  return workloadTraffic({
    name: o.name ?? "txns",
    duration: `${o.durationS}s`,
    target: { node: "pgproxy", port: 5000 },
    client: fileURLToPath(new URL("./clients/list-append.ts", import.meta.url)),
    clientOptions: { isolation: o.isolation, mode: o.mode, database: trackrDatabaseName, user: "postgres", password: "${secret:db-password}", table: o.table ?? "list_append" },
    concurrency: o.concurrency ?? 6,
    ratePerSecond: o.ratePerSecond ?? 60,
    ...contendedListAppendMix,
    requestTimeout: "5s",
    // Serialization failures are definite failures the workload expects: the steady-state gate would read them as
    // a sick system.
    gate: false,
  });
}

/** What a register or bank workload on pgha does (clients/register.ts, clients/bank.ts). */
export interface PghaCheckedWorkloadOptions {
  name?: string;
  isolation: "read-committed" | "repeatable-read" | "serializable";
  /** "atomic": one statement reads and writes; "read-then-write": SELECT, decide in the app, write (the classic bug). */
  mode: "atomic" | "read-then-write";
  durationS: number;
  concurrency?: number;
  ratePerSecond?: number;
  /** The table (two classes at once need two). Default "registers" / "accounts". */
  table?: string;
}

function checkedWorkload(o: PghaCheckedWorkloadOptions, client: string, defaultTable: string) {
  return {
    duration: `${o.durationS}s`,
    target: { node: "pgproxy", port: 5000 },
    client: fileURLToPath(new URL(`./clients/${client}.ts`, import.meta.url)),
    clientOptions: { isolation: o.isolation, mode: o.mode, database: trackrDatabaseName, user: "postgres", password: "${secret:db-password}", table: o.table ?? defaultTable },
    concurrency: o.concurrency ?? 6,
    ratePerSecond: o.ratePerSecond ?? 60,
    requestTimeout: "5s",
    // Serialization failures and refused CAS are outcomes the workload expects, not a sick system.
    gate: false,
  } as const;
}

/**
 * Jepsen's cas-register straight at the primary through pgproxy:5000: 6 processes, 60 ops/s over 3 keys at once
 * (40 % reads, 40 % compare-and-set from the value last seen, 20 % writes), each key retired after 150 ops so every
 * key's linearizability search stays small. Concurrent CAS from the same value is where a read-then-write client
 * at read committed lets two succeed.
 */
export function pghaRegister(o: PghaCheckedWorkloadOptions): WorkloadTrafficInput {
  return workloadTraffic({ name: o.name ?? "registers", workload: "register", ...checkedWorkload(o, "register", "registers"), activeKeys: 3, maxOpsPerKey: 150, readPercent: 40, casPercent: 40 });
}

/**
 * Jepsen's bank straight at the primary through pgproxy:5000: 6 processes, 60 ops/s, 5 accounts of 20 (total
 * 100), transfers of 1-5 between two random accounts, half the ops reads of every balance. Five accounts and six
 * processes make concurrent transfers share an account often, where a read-then-write client loses money.
 */
export function pghaBank(o: PghaCheckedWorkloadOptions): WorkloadTrafficInput {
  return workloadTraffic({ name: o.name ?? "bank", workload: "bank", ...checkedWorkload(o, "bank", "accounts"), accounts: 5, initialBalance: 20, maxTransfer: 5, readPercent: 50 });
}
