import type { ScenarioInput } from "../../api/index.ts";
import { replicationLink, trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { userSessions } from "../../systems/trackr/traffic.ts";

/**
 * What serving reads from a streaming replica costs: trackr's apps write to the primary and read from a hot standby
 * (the two-zone design's local reads). People check that the first read after each of their writes lists it. At 15 s
 * replication is delayed by 2 s (a toxiproxy latency toxic on the primary -> replica stream) for 15 s: the reads stay
 * available, but people stop seeing their own writes. The stale-reads SLO during the lag must fail (exit 1) while the
 * one before it passes: proof that the harness catches stale reads, not only errors.
 */
export default {
  name: "trackr-replica-lag-stale-reads",
  description: "Delay primary -> replica streaming by 2 s for 15 s while people read from the replica (expected to fail stale reads)",
  tags: ["trackr", "gate", "control"],
  // A control for stale reads only: fresh-during-lag must FAIL; availability, lost writes and the reads before the lag
  // must still pass, so "the harness caught the lag" is never confused with "the replica broke".
  expect: "fail",
  expectFailing: ["fresh-during-lag"],
  secrets: trackrSecrets,
  topology: trackrTopology({ readReplica: true }),
  // 6 writes a minute each (the model's 1 would give a handful of checks in 15 s), so each window has dozens.
  traffic: [userSessions({ name: "people", target: { node: "lb", port: 80 }, users: 40, rampUp: "2s", writesPerMinute: 6, duration: "45s" })],
  faults: [
    {
      id: "replication-lag",
      kind: "link-toxic",
      link: replicationLink,
      target: { names: ["db"] },
      toxic: { type: "latency", latencyMs: 2_000 },
      direction: "downstream",
      at: "15s",
      for: "15s",
    },
  ],
  readback: [trackrReadback("people")],
  slos: [
    { id: "people-availability", kind: "availability", traffic: "people", window: { kind: "run" }, atLeastPercent: 99 },
    { id: "no-acknowledged-write-lost", kind: "lost-writes", traffic: "people", atMost: 0 },
    // 2 allowed before the lag: even unfaulted, an asynchronous replica is some milliseconds behind, and a person's
    // read a few ms after the write (think time is exponential) can miss it.
    { id: "fresh-before-lag", kind: "stale-reads", traffic: "people", window: { kind: "fault", fault: "replication-lag", phase: "before" }, atMost: 2 },
    { id: "fresh-during-lag", kind: "stale-reads", traffic: "people", window: { kind: "fault", fault: "replication-lag", phase: "during" }, atMost: 0 },
  ],
} satisfies ScenarioInput;
