import type { ScenarioInput } from "../../api/index.ts";
import { identityReadback, identityRole, identitySecrets, identityTopology } from "../../systems/identity/topology.ts";
import { identityTraffic } from "../../systems/identity/traffic.ts";

/**
 * An exploration (`havoc explore`, docs/explore.md) of the identity service (Redis + Sentinel + app on each of three
 * servers): a fault generator mixes kills, pauses and isolations of the servers, up to two at once but never more
 * than one server down (a minority), so Sentinel's quorum of two always stands. Judged by the service's own
 * promises: served again within 5 s (down-after 2 s plus an election), nothing acknowledged lost, tokens validate,
 * the servers converge. Hand-written scenarios already show a killed or cut-off primary losing writes
 * (systems/identity/README.md); explore shows which schedules do it, and whether anything else does.
 *
 * Tagged `explore`: the suites leave it out.
 */
export default {
  name: "identity-explore-mixed-faults",
  description: "fault generator over the identity servers: kill, pause, isolate, packet loss, up to two at once, one server down at most",
  tags: ["identity", "redis", "explore"],
  secrets: identitySecrets,
  topology: identityTopology(),
  traffic: identityTraffic(),
  faultGenerator: {
    mix: [
      { weight: 1, fault: { kind: "kill", target: { role: identityRole, mode: "one" }, signal: "SIGKILL" } },
      { weight: 1, fault: { kind: "pause", target: { role: identityRole, mode: "one" } } },
      { weight: 1, fault: { kind: "isolate", target: { role: identityRole, mode: "one" } } },
      // Degrades without taking the server down, so it can overlap a down server: 30 % of its packets lost.
      { weight: 1, fault: { kind: "packet-loss", target: { role: identityRole, mode: "one" }, percent: 30 } },
    ],
    staggerMs: "5s",
    durationMs: { min: "5s", max: "12s" },
    maxConcurrent: 2,
    phases: { quietStartMs: "15s", chaosEndMs: "45s" },
    limits: { maxDownFraction: "minority" },
  },
  readback: [identityReadback("clients"), identityReadback("people")],
  slos: [
    { id: "served-within-promise", kind: "longest-outage", traffic: "clients", atMost: "5s" },
    { id: "no-client-write-lost", kind: "lost-writes", traffic: "clients", atMost: 0 },
    { id: "no-person-write-lost", kind: "lost-writes", traffic: "people", atMost: 0 },
    { id: "tokens-validate-at-once", kind: "stale-reads", traffic: "people", atMost: 0 },
    { id: "servers-converge", kind: "convergence", traffic: "clients", atMost: 0 },
  ],
} satisfies ScenarioInput;
