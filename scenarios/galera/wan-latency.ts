import type { ScenarioInput } from "../../api/index.ts";
import { galeraReadback, galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { wanLatencyFaultId, wanLatencyFaults } from "../../systems/galera/wan-faults.ts";
import { deviceFleet, userSessions } from "../../systems/trackr/traffic.ts";

const duringLatency = { kind: "fault", fault: wanLatencyFaultId, phase: "during" } as const;

/**
 * The multi-provider design's cost claim: with 100 ms round trip between the providers, every commit waits about one
 * round trip (Galera certifies a write set only once every node has it in total order, and one node is across the
 * WAN), while reads stay local (a node answers reads from its own copy). From 20 s for 20 s the WAN links get 50 ms
 * each way. Devices write and people read in both providers: through `lb` (provider A, the router's galera-1) and
 * through `lb-b` (provider B, galera-3).
 */
export default {
  name: "galera-wan-latency",
  tags: ["galera", "mysql", "latency"],
  description: "100 ms round trip on the WAN between the providers for 20 s: writes pay about a round trip, reads stay local",
  secrets: galeraSecrets,
  topology: galeraTopology({ providerBEntry: true }),
  traffic: [
    deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 20, devices: 20, duration: "55s" }),
    userSessions({ name: "readers", target: { node: "lb", port: 80 }, users: 10, rampUp: "2s", writesPerMinute: 0, duration: "55s" }),
    deviceFleet({ name: "devices-b", target: { node: "lb-b", port: 80 }, ratePerSecond: 10, devices: 10, duration: "55s" }),
    userSessions({ name: "readers-b", target: { node: "lb-b", port: 80 }, users: 10, rampUp: "2s", writesPerMinute: 0, duration: "55s" }),
  ],
  // Provider B's commits cross the WAN even without a fault; see provider-cut.ts.
  gate: { minSuccessPercent: 90 },
  faults: wanLatencyFaults({ at: "20s", for: "20s", roundTripMs: 100 }),
  readback: [galeraReadback("devices"), galeraReadback("devices-b")],
  slos: [
    // Not the claim, a sanity check: at 100 ms round trip a commit's tail on this loaded machine passes the devices'
    // 2 s timeout now and then (measured: 8 of 400 in one run).
    { id: "writes-a-available", kind: "availability", traffic: "devices", window: duringLatency, atLeastPercent: 95 },
    { id: "writes-b-available", kind: "availability", traffic: "devices-b", window: duringLatency, atLeastPercent: 95 },
    // About one round trip (100 ms) over the commit's own time; the test checks the rise against the time before.
    { id: "writes-a-median-within-a-round-trip", kind: "latency", traffic: "devices", window: duringLatency, percentile: 50, atMostMs: 400 },
    { id: "reads-a-stay-local", kind: "latency", traffic: "readers", window: duringLatency, percentile: 50, atMostMs: 100 },
    { id: "reads-b-stay-local", kind: "latency", traffic: "readers-b", window: duringLatency, percentile: 50, atMostMs: 100 },
    { id: "no-write-lost-a", kind: "lost-writes", traffic: "devices", atMost: 0 },
    { id: "no-write-lost-b", kind: "lost-writes", traffic: "devices-b", atMost: 0 },
    { id: "converged", kind: "convergence", traffic: "devices", atMost: 0 },
  ],
} satisfies ScenarioInput;
