import { fileURLToPath } from "node:url";
import { workloadTraffic, type WorkloadTrafficInput } from "../../api/index.ts";
import { contendedListAppendMix } from "../shared/list-append-mix.ts";
import { galeraNodes, mysqlDatabase } from "./topology.ts";

/** What a workload on Galera does (clients/list-append.ts, register.ts, bank.ts). */
export interface GaleraWorkloadOptions {
  name?: string;
  /** Every transaction's isolation level. */
  isolation: "read-committed" | "repeatable-read" | "serializable";
  /** "atomic": one statement reads and writes (Jepsen's clients); "read-then-write": SELECT, decide in the app, write (the classic bug). */
  mode: "atomic" | "read-then-write";
  durationS: number;
  /** InnoDB's snapshot isolation for repeatable read (innodb_snapshot_isolation, off by default in 10.11). Default false. */
  snapshotIsolation?: boolean;
  /** Galera's wsrep_sync_wait for every session (1: reads wait for the write sets ordered before them). Default 0 (Galera's). */
  wsrepSyncWait?: number;
  /** The nodes the processes are spread over (one node per process, round robin). Default all three. */
  nodes?: readonly string[];
  concurrency?: number;
  ratePerSecond?: number;
}

/**
 * What every Galera workload shares: processes bound to the nodes' published 3306 (not the router), as Jepsen's
 * galera test runs them: 6 processes spread over galera-1, galera-2 (provider A) and galera-3 (provider B), 60 ops/s.
 * Writers on every node make concurrent operations on one key meet on different nodes (Galera's certification
 * decides) and on the same node (InnoDB's locks decide).
 */
function onEveryNode(o: GaleraWorkloadOptions, client: string) {
  const nodes = o.nodes ?? galeraNodes.map((n) => n.name);
  return {
    duration: `${o.durationS}s`,
    servers: nodes.map((node) => ({ node, port: mysqlDatabase.port })),
    client: fileURLToPath(new URL(`./clients/${client}.ts`, import.meta.url)),
    clientOptions: { isolation: o.isolation, mode: o.mode, database: mysqlDatabase.name, user: mysqlDatabase.user, password: "${secret:db-password}", snapshotIsolation: o.snapshotIsolation ?? false, ...(o.wsrepSyncWait !== undefined ? { wsrepSyncWait: o.wsrepSyncWait } : {}) },
    concurrency: o.concurrency ?? 6,
    ratePerSecond: o.ratePerSecond ?? 60,
    requestTimeout: "5s",
    // Certification conflicts, deadlocks and refused CAS are outcomes the workload expects: the steady-state gate
    // would read them as a sick system.
    gate: false,
  } as const;
}

/** Elle's list-append workload on every node: the shared contended mix (contendedListAppendMix). */
export function galeraListAppend(o: GaleraWorkloadOptions): WorkloadTrafficInput {
  return workloadTraffic({ name: o.name ?? "txns", ...onEveryNode(o, "list-append"), ...contendedListAppendMix });
}

/**
 * Jepsen's cas-register on every node: 40 % reads, 40 % compare-and-set from the value last seen, 20 % writes over
 * 3 keys at once, each key retired after 150 ops so every key's linearizability search stays small (as pgha's).
 */
export function galeraRegister(o: GaleraWorkloadOptions): WorkloadTrafficInput {
  return workloadTraffic({ name: o.name ?? "registers", workload: "register", ...onEveryNode(o, "register"), activeKeys: 3, maxOpsPerKey: 150, readPercent: 40, casPercent: 40 });
}

/**
 * Jepsen's bank on every node: 5 accounts of 20 (total 100), transfers of 1-5 between two random accounts, half the
 * ops reads of every balance (as pgha's). Transfers touching one account from two nodes meet in certification.
 */
export function galeraBank(o: GaleraWorkloadOptions): WorkloadTrafficInput {
  return workloadTraffic({ name: o.name ?? "bank", workload: "bank", ...onEveryNode(o, "bank"), accounts: 5, initialBalance: 20, maxTransfer: 5, readPercent: 50 });
}
