import { defineScenario } from "../../api/index.ts";
import { galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { galeraRegister } from "../../systems/galera/traffic.ts";

/**
 * Jepsen's cas-register asked of Galera across a provider cut: reads, writes and one-statement compare-and-sets
 * (UPDATE ... WHERE k = ? AND v = from) at REPEATABLE READ (MariaDB's default) from processes bound to every node,
 * galera-1 and galera-2 in provider A and galera-3 alone in provider B. From 15 s for 15 s provider B is cut off
 * the WAN (as in provider-cut.ts and list-append-provider-cut.ts).
 * The claim: Galera's documentation calls the cluster "virtually synchronous", one database whichever node
 * answers; a register that lives in it is then linearizable.
 */
export default defineScenario({
  name: "galera-register-provider-cut",
  tags: ["galera", "mysql", "consistency", "partition"],
  // Measured (systems/galera/README.md, "Registers and bank"): reads on one node do not wait for write sets other
  // nodes already acknowledged (wsrep_sync_wait = 0), so a read after an acknowledged write returns the older
  // value: not linearizable, cut or no cut.
  expect: "fail",
  expectFailing: ["registers-linearizable"],
  description: "Registers (read, write, compare-and-set) at REPEATABLE READ on all three Galera nodes while provider B is cut off: is every key linearizable?",
  secrets: galeraSecrets,
  topology: galeraTopology({ apps: false }),
  traffic: [galeraRegister({ isolation: "repeatable-read", mode: "atomic", durationS: 40 })],
  faults: [{ id: "cut-provider-b", kind: "partition", groups: [["galera-3"], ["toxiproxy"]], at: "15s", for: "15s" }],
  tail: "5s",
  slos: [{ id: "registers-linearizable", kind: "linearizable", traffic: "registers" }],
});
