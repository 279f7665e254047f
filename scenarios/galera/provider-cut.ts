import type { ScenarioInput } from "../../api/index.ts";
import { galeraReadback, galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { deviceFleet, userSessions } from "../../systems/trackr/traffic.ts";

/**
 * The multi-provider design's quorum claim: when the provider holding one node of three is cut off, the two nodes of
 * the other provider form the primary component and go on; the lone node becomes a non-primary component and refuses
 * reads and writes rather than serve a split brain; after the cut heals it rejoins, nothing acknowledged on either
 * side is lost, and every node holds the same readings.
 * The cut: from 20 s for 20 s every packet between provider B's nodes and the WAN (the toxiproxy node, the only path
 * between the providers) is dropped, so Galera sees silence, not closed connections. Devices write through provider
 * A's entry (`lb`) and through provider B's (`lb-b`, app-b on galera-3); people read through provider B's.
 */
export default {
  name: "galera-provider-cut",
  tags: ["galera", "mysql", "partition", "ci"],
  // The design says the majority "goes on"; it stalls first until Galera evicts the silent node (see below).
  expect: "fail",
  expectFailing: ["majority-writes-during-cut"],
  description: "Cut the single-node provider off the WAN for 20 s: the majority goes on, the minority refuses, nothing lost or diverged",
  secrets: galeraSecrets,
  topology: galeraTopology({ providerBEntry: true }),
  traffic: [
    deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 30, devices: 30, duration: "55s" }),
    deviceFleet({ name: "devices-b", target: { node: "lb-b", port: 80 }, ratePerSecond: 10, devices: 10, duration: "55s" }),
    // Readers only: people whose sessions write would mix refused writes into the read availability.
    userSessions({ name: "readers-b", target: { node: "lb-b", port: 80 }, users: 10, rampUp: "2s", writesPerMinute: 0, duration: "55s" }),
  ],
  // A commit from provider B crosses the WAN (toxiproxy); on this loaded shared machine one stalls past the devices'
  // 2 s timeout now and then (measured: 13 of 200 in one pre-fault second at load 28). The gate still stops a sick cluster.
  gate: { minSuccessPercent: 90 },
  faults: [{ id: "cut-provider-b", kind: "partition", groups: [["galera-3", "app-b", "lb-b"], ["toxiproxy"]], at: "20s", for: "20s" }],
  readback: [galeraReadback("devices"), galeraReadback("devices-b")],
  slos: [
    // The design says the majority "goes on". Expected to FAIL: every commit waits until Galera evicts the silent node
    // (evs.suspect_timeout, 5 s, after the last message), so the majority stalls first (measured 40 % of the cut's writes refused or timed out).
    { id: "majority-writes-during-cut", kind: "availability", traffic: "devices", window: { kind: "fault", fault: "cut-provider-b", phase: "during" }, atLeastPercent: 99 },
    // ...and then goes on: the stall is bounded by the eviction (plus the cut's own roll-out, node by node).
    { id: "majority-longest-outage", kind: "longest-outage", traffic: "devices", atMost: "15s" },
    { id: "minority-reads-before-cut", kind: "availability", traffic: "readers-b", window: { kind: "fault", fault: "cut-provider-b", phase: "before" }, atLeastPercent: 99 },
    { id: "minority-writes-back-after-heal", kind: "recovery-time", traffic: "devices-b", fault: "cut-provider-b", from: "heal", atMost: "20s", atLeastPercent: 99, stableFor: "5s" },
    { id: "no-majority-write-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    { id: "no-minority-write-lost", kind: "lost-writes", traffic: "devices-b", atMost: 0 },
    { id: "majority-writes-converged", kind: "convergence", traffic: "devices", atMost: 0 },
    { id: "minority-writes-converged", kind: "convergence", traffic: "devices-b", atMost: 0 },
  ],
} satisfies ScenarioInput;
