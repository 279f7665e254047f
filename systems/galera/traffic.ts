import { fileURLToPath } from "node:url";
import { workloadTraffic, type WorkloadTrafficInput } from "../../api/index.ts";
import { galeraNodes, mysqlDatabase } from "./topology.ts";

/** What a list-append workload on Galera does (clients/list-append.ts). */
export interface GaleraListAppendOptions {
  name?: string;
  /** Every transaction's isolation level. */
  isolation: "read-committed" | "repeatable-read" | "serializable";
  /** "atomic": Jepsen's one-statement append; "read-then-write": SELECT then write the whole list back (the classic bug). */
  mode: "atomic" | "read-then-write";
  durationS: number;
  /** InnoDB's snapshot isolation for repeatable read (innodb_snapshot_isolation, off by default in 10.11). Default false. */
  snapshotIsolation?: boolean;
  /** The nodes the processes are spread over (one node per process, round robin). Default all three. */
  nodes?: readonly string[];
  concurrency?: number;
  ratePerSecond?: number;
}

/**
 * Elle's list-append workload straight at the Galera nodes (each node's published 3306, not the router), as
 * Jepsen's galera test runs it: 6 processes spread over galera-1, galera-2 (provider A) and galera-3 (provider B),
 * 60 transactions/s of 1-4 micro-ops (half reads) over 3 keys at once, each key retired after 30 appends, half the
 * appends read their key first. Writers on every node make concurrent transactions on one key meet on different
 * nodes (Galera's certification decides) and on the same node (InnoDB's locks decide).
 */
export function galeraListAppend(o: GaleraListAppendOptions): WorkloadTrafficInput {
  const nodes = o.nodes ?? galeraNodes.map((n) => n.name);
  return workloadTraffic({
    name: o.name ?? "txns",
    duration: `${o.durationS}s`,
    servers: nodes.map((node) => ({ node, port: mysqlDatabase.port })),
    client: fileURLToPath(new URL("./clients/list-append.ts", import.meta.url)),
    clientOptions: { isolation: o.isolation, mode: o.mode, database: mysqlDatabase.name, user: mysqlDatabase.user, password: "${secret:db-password}", snapshotIsolation: o.snapshotIsolation ?? false },
    concurrency: o.concurrency ?? 6,
    ratePerSecond: o.ratePerSecond ?? 60,
    activeKeys: 3,
    maxAppendsPerKey: 30,
    minTxnLength: 1,
    maxTxnLength: 4,
    readPercent: 50,
    readBeforeAppendPercent: 50,
    requestTimeout: "5s",
    // Certification conflicts and deadlocks are definite failures the workload expects: the steady-state gate would
    // read them as a sick system.
    gate: false,
  });
}
