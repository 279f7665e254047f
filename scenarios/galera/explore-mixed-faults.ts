import type { ScenarioInput } from "../../api/index.ts";
import { galeraReadback, galeraRole, galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * An exploration (`havoc explore`, docs/explore.md) of the Galera cluster under trackr's device writes: a fault
 * generator mixes kills, pauses and isolations of the Galera nodes (one down at a time: a minority, so a primary
 * component always stands) with kills of trackr's app servers, up to two faults at once. Judged by the design's own
 * claims (node-kill.ts): no outage beyond 15 s, nothing acknowledged lost, every node converged, the load kept up.
 * The fault-bound failover SLO of the hand-written scenario has no fault to name here; the longest outage stands in.
 *
 * Tagged `explore`: the suites leave it out.
 */
export default {
  name: "galera-explore-mixed-faults",
  description: "fault generator over Galera: kill, pause, isolate of the nodes and kills of app servers, up to two at once, one Galera node down at most",
  tags: ["galera", "mysql", "explore"],
  secrets: galeraSecrets,
  topology: galeraTopology(),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 40, devices: 40, duration: "60s" })],
  faultGenerator: {
    mix: [
      { weight: 2, fault: { kind: "kill", target: { role: galeraRole, mode: "one" }, signal: "SIGKILL" } },
      { weight: 1, fault: { kind: "pause", target: { role: galeraRole, mode: "one" } } },
      { weight: 1, fault: { kind: "isolate", target: { role: galeraRole, mode: "one" } } },
      { weight: 1, fault: { kind: "kill", target: { role: "app", mode: "one" }, signal: "SIGKILL" } },
    ],
    staggerMs: "5s",
    durationMs: { min: "5s", max: "12s" },
    maxConcurrent: 2,
    phases: { quietStartMs: "15s", chaosEndMs: "45s" },
    limits: { maxDownFraction: "minority", protectRoles: ["router", "lb"] },
  },
  readback: [galeraReadback("devices")],
  slos: [
    { id: "device-longest-outage", kind: "longest-outage", traffic: "devices", atMost: "15s" },
    { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
    { id: "load-kept-up", kind: "dropped-iterations", traffic: "devices", atMost: 0 },
  ],
} satisfies ScenarioInput;
