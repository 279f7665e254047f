import type { ScenarioInput } from "../../api/index.ts";
import { pghaReadback, pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { failoverClaimMs, pghaDevices } from "../../systems/pgha/traffic.ts";

/**
 * An exploration (`havoc explore`, docs/explore.md) of pgha with synchronous replication: a fault generator mixes
 * kills, pauses and isolations of the PostgreSQL nodes and of the etcd members, up to two at once, never more than
 * one node of each role down at a time (a minority), the proxy left alone. Judged by pgha's own promises: writes back
 * within the failover claim (ttl + loop_wait + 3 s) after any outage, nothing acknowledged lost (synchronous mode's
 * promise), every node holding the primary's rows afterwards. The fault-bound SLOs of the hand-written scenarios
 * (recovery-time from a named fault) have no fault to name here; the longest outage stands in for them.
 *
 * Tagged `explore`: the suites leave it out; what it found is in systems/pgha/README.md.
 */
export default {
  name: "pgha-explore-mixed-faults",
  description: "fault generator over pgha (sync): kill, pause, isolate of PostgreSQL nodes and etcd members, up to two at once, a minority of each role",
  tags: ["pgha", "postgres", "explore"],
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: true }),
  traffic: [pghaDevices(60)],
  faultGenerator: {
    mix: [
      { weight: 2, fault: { kind: "kill", target: { role: "db", mode: "one" }, signal: "SIGKILL" } },
      { weight: 1, fault: { kind: "pause", target: { role: "db", mode: "one" } } },
      { weight: 1, fault: { kind: "isolate", target: { role: "db", mode: "one" } } },
      { weight: 1, fault: { kind: "kill", target: { role: "etcd", mode: "one" }, signal: "SIGKILL" } },
      { weight: 1, fault: { kind: "pause", target: { role: "etcd", mode: "one" } } },
    ],
    staggerMs: "5s",
    durationMs: { min: "5s", max: "12s" },
    maxConcurrent: 2,
    // The steady state is measured until 12 s; everything is healed by 40 s, leaving 20 s of traffic (the fault-free tail) to recover.
    phases: { quietStartMs: "15s", chaosEndMs: "40s" },
    limits: { maxDownFraction: "minority", protectRoles: ["proxy"] },
  },
  readback: [pghaReadback("devices")],
  tail: "20s",
  slos: [
    { id: "writes-before-fault", kind: "availability", traffic: "devices", window: { kind: "interval", from: "0s", to: "12s" }, atLeastPercent: 99 },
    { id: "failover", kind: "longest-outage", traffic: "devices", atMost: `${failoverClaimMs}ms` },
    { id: "no-acknowledged-write-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
  ],
} satisfies ScenarioInput;
