import { defineScenario } from "../../api/index.ts";
import { galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { galeraBank } from "../../systems/galera/traffic.ts";

/**
 * Jepsen's bank asked of Galera across a provider cut: transfers as two relative updates (balance = balance - x
 * WHERE balance >= x, then balance = balance + x) and reads of every balance, at REPEATABLE READ (MariaDB's
 * default), from processes bound to every node (galera-1, galera-2 in provider A, galera-3 alone in provider B).
 * From 15 s for 15 s provider B is cut off the WAN (as in list-append-provider-cut.ts).
 * The claims: each transfer is atomic (InnoDB), conflicting transfers on different nodes cannot both commit
 * (certification, first committer wins), and a read sees one snapshot: every read's total is the opening 100.
 */
export default defineScenario({
  name: "galera-bank-provider-cut",
  tags: ["galera", "mysql", "consistency", "partition"],
  description: "Bank transfers and reads at REPEATABLE READ on all three Galera nodes while provider B is cut off: does every read see the opening total, no balance negative?",
  secrets: galeraSecrets,
  topology: galeraTopology({ apps: false }),
  traffic: [galeraBank({ isolation: "repeatable-read", mode: "atomic", durationS: 40 })],
  faults: [{ id: "cut-provider-b", kind: "partition", groups: [["galera-3"], ["toxiproxy"]], at: "15s", for: "15s" }],
  tail: "5s",
  slos: [{ id: "bank-total", kind: "bank", traffic: "bank" }],
});
