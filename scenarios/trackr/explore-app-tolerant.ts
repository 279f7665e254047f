import type { ScenarioInput } from "../../api/index.ts";
import { trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * The negative control of `havoc explore` (docs/explore.md): the same faults as explore-app-overlap.ts (kills and
 * stops of app servers, up to two at once, same stagger, lengths and phases), but trackr has three app servers and
 * the generator's limit never takes down more than two of them at once, so one always serves. Every overlap the
 * generator may draw is one this configuration tolerates, and exploring it for the budget that finds the overlap in
 * explore-app-overlap.ts must find nothing.
 *
 * Tagged `explore` like its twin: the suites leave it out (it is an exploration, run with `havoc explore`).
 */
export default {
  name: "trackr-explore-app-tolerant",
  description: "fault generator over three trackr app servers: kills and stops, up to two at once, never all three (tolerated)",
  tags: ["trackr", "explore"],
  secrets: trackrSecrets,
  topology: trackrTopology({ appNodes: 3 }),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 50, duration: "60s", devices: 50 })],
  faultGenerator: {
    mix: [
      { weight: 1, fault: { kind: "kill", target: { role: "app", mode: "one" }, signal: "SIGKILL" } },
      { weight: 1, fault: { kind: "stop", target: { role: "app", mode: "one" }, timeoutMs: "2s" } },
    ],
    staggerMs: "8s",
    durationMs: { min: "8s", max: "15s" },
    maxConcurrent: 2,
    phases: { quietStartMs: "10s", chaosEndMs: "50s" },
    // Two of the three app servers down at once at most (floor(3 x 0.67) = 2): one is always left to haproxy.
    limits: { maxDownFraction: 0.67, protectRoles: ["db", "lb"] },
  },
  readback: [trackrReadback("devices")],
  slos: [
    { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    { id: "device-longest-outage", kind: "longest-outage", traffic: "devices", atMost: "5s" },
  ],
} satisfies ScenarioInput;
