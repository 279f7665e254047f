import type { ScenarioInput } from "../../api/index.ts";
import { galeraReadback, galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * After all three nodes stop at once, the cluster comes back by itself. All three Galera nodes are SIGKILLed at 20 s
 * (a power cut of both providers) and started again 10 s later. Nothing bootstraps: each node reads its last position
 * from InnoDB (--wsrep-recover) and pc.recovery re-forms the primary component from the last view saved in
 * gvwstate.dat once every member of it is back; a node behind catches up by IST. Measured: how long until writes work
 * again after the start, and that no acknowledged reading is lost and every node converges.
 */
export default {
  name: "galera-full-crash",
  tags: ["galera", "mysql", "restart"],
  description: "SIGKILL all three Galera nodes at once for 10 s, then start them: the cluster re-forms by itself",
  secrets: galeraSecrets,
  topology: galeraTopology(),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 30, devices: 30, duration: "60s" })],
  faults: [{ id: "kill-all-galera", kind: "kill", target: { role: "galera", mode: "all" }, at: "20s", for: "10s", signal: "SIGKILL" }],
  readback: [galeraReadback("devices")],
  slos: [
    // Writes work again soon after the nodes answer their ready probe (Synced, in the primary component): the
    // router's checks (2 good ones), trackr's apps (pool reconnects) and lb's checks of the apps.
    { id: "writes-back-after-restart", kind: "recovery-time", traffic: "devices", fault: "kill-all-galera", from: "heal", atMost: "15s", atLeastPercent: 99, stableFor: "5s" },
    { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
  ],
} satisfies ScenarioInput;
