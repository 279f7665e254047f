import { defineScenario, type ScenarioDefinition } from "../../api/index.ts";
import { galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { galeraRegister } from "../../systems/galera/traffic.ts";

/**
 * Jepsen's cas-register asked of Galera across a provider cut: reads, writes and one-statement compare-and-sets
 * (UPDATE ... WHERE k = ? AND v = from) at REPEATABLE READ (MariaDB's default) from processes bound to every node,
 * galera-1 and galera-2 in provider A and galera-3 alone in provider B. From 15 s for 15 s provider B is cut off
 * the WAN (as in provider-cut.ts and list-append-provider-cut.ts).
 * The claim: Galera's documentation calls the cluster "virtually synchronous", one database whichever node
 * answers; a register that lives in it is then linearizable.
 * `syncWait`: the same with `wsrep_sync_wait = 1` on every session (reads wait for the write sets ordered before
 * them), Galera's documented remedy for stale reads.
 */
export function registerProviderCut(syncWait: boolean): ScenarioDefinition {
  return defineScenario({
    name: `galera-register-provider-cut${syncWait ? "-sync-wait" : ""}`,
    tags: ["galera", "mysql", "consistency", "partition"],
    // Measured (systems/galera/README.md, "Registers and bank"): reads on one node do not wait for write sets other
    // nodes already acknowledged (wsrep_sync_wait = 0), so a read after an acknowledged write returns the older
    // value: not linearizable, cut or no cut.
    ...(syncWait ? {} : { expect: "fail" as const, expectFailing: ["registers-linearizable"] }),
    description: `Registers (read, write, compare-and-set) at REPEATABLE READ${syncWait ? " with wsrep_sync_wait = 1" : ""} on all three Galera nodes while provider B is cut off: is every key linearizable?`,
    secrets: galeraSecrets,
    topology: galeraTopology({ apps: false }),
    // 12 processes (4 per node): a stale read needs a read on one node inside the few ms after another node's commit;
    // with 6, one run in three saw none (measured, systems/galera/README.md).
    traffic: [galeraRegister({ isolation: "repeatable-read", mode: "atomic", durationS: 40, concurrency: 12, ratePerSecond: 120, ...(syncWait ? { wsrepSyncWait: 1 } : {}) })],
    faults: [{ id: "cut-provider-b", kind: "partition", groups: [["galera-3"], ["toxiproxy"]], at: "15s", for: "15s" }],
    tail: "5s",
    slos: [{ id: "registers-linearizable", kind: "linearizable", traffic: "registers" }],
  });
}

export default registerProviderCut(false);
