import { defineScenario, type ScenarioDefinition } from "../../api/index.ts";
import { galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { galeraListAppend } from "../../systems/galera/traffic.ts";

/**
 * Jepsen's question to Galera, asked across a provider cut: list-append transactions at REPEATABLE READ (MariaDB's
 * default) from processes bound to every node, galera-1 and galera-2 in provider A and galera-3 alone in provider B,
 * Jepsen's one-statement appends (INSERT ... ON DUPLICATE KEY UPDATE v = CONCAT(v, ',', x)), half of them after a
 * read of their key. From 15 s for 15 s provider B is cut off the WAN (as in provider-cut.ts).
 * The claims: Galera's documentation promises snapshot isolation between transactions on different nodes
 * (certification, first committer wins) and MariaDB's InnoDB repeatable read on each node.
 * `snapshotIsolation`: the same with `innodb_snapshot_isolation = ON` (10.11's switch, off by default).
 */
export function listAppendProviderCut(snapshotIsolation: boolean): ScenarioDefinition {
  return defineScenario({
    name: `galera-list-append-provider-cut${snapshotIsolation ? "-snapshot-isolation" : ""}`,
    tags: ["galera", "mysql", "consistency", "partition"],
    // Measured (systems/galera/README.md, section 6): MariaDB 10.11's repeatable read lets a transaction read its
    // snapshot and then append to the newest row (lost updates, on one node and across nodes), cut or no cut. With
    // innodb_snapshot_isolation such a write is refused and the history holds snapshot isolation; it still allows
    // write skew (G2-item), which Adya's repeatable read forbids.
    expect: "fail",
    expectFailing: snapshotIsolation ? ["repeatable-read"] : ["snapshot-isolation", "repeatable-read"],
    description: `List-append at REPEATABLE READ${snapshotIsolation ? " with innodb_snapshot_isolation" : ""} on all three Galera nodes while provider B is cut off: does the history hold snapshot isolation, or repeatable read?`,
    secrets: galeraSecrets,
    topology: galeraTopology({ apps: false }),
    traffic: [galeraListAppend({ isolation: "repeatable-read", mode: "atomic", durationS: 40, snapshotIsolation })],
    faults: [{ id: "cut-provider-b", kind: "partition", groups: [["galera-3"], ["toxiproxy"]], at: "15s", for: "15s" }],
    tail: "5s",
    slos: [
      { id: "snapshot-isolation", kind: "consistency", traffic: "txns", model: "snapshot-isolation" },
      { id: "repeatable-read", kind: "consistency", traffic: "txns", model: "repeatable-read" },
    ],
  });
}

export default listAppendProviderCut(false);
