import type { ScenarioInput } from "../../api/index.ts";
import { galeraReadback, galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * The Galera design's first claim: losing one node of three costs seconds, loses nothing, and the node rejoins by
 * itself. galera-1, the node the router sends every connection to, is SIGKILLed at 20 s and started again at 35 s
 * while 40 device readings/s arrive through trackr. The router fails over to galera-2 (same provider); galera-1
 * catches up by incremental state transfer (IST) and is Synced again; every node holds every acknowledged reading.
 */
export default {
  name: "galera-node-kill",
  tags: ["galera", "mysql", "failover"],
  description: "SIGKILL the Galera node the router uses, for 15 s, under steady device writes",
  secrets: galeraSecrets,
  topology: galeraTopology(),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 40, devices: 40, duration: "60s" })],
  faults: [{ id: "kill-galera-1", kind: "kill", target: { names: ["galera-1"] }, at: "20s", for: "15s", signal: "SIGKILL" }],
  readback: [galeraReadback("devices")],
  slos: [
    // "No outage beyond seconds": the router needs 2 failed checks, and the survivors may wait for Galera to evict the dead node.
    { id: "device-longest-outage", kind: "longest-outage", traffic: "devices", atMost: "15s" },
    { id: "device-failover", kind: "recovery-time", traffic: "devices", fault: "kill-galera-1", from: "inject", atMost: "20s", atLeastPercent: 99, stableFor: "5s" },
    { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
    { id: "load-kept-up", kind: "dropped-iterations", traffic: "devices", atMost: 0 },
  ],
} satisfies ScenarioInput;
