import type { ScenarioInput } from "../../api/index.ts";
import { trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * The ground truth of `havoc explore` (docs/explore.md): trackr with two app servers behind haproxy. Killing app-1
 * alone, or stopping app-2 alone, is harmless (haproxy sends every device to the other one); both at once leave no
 * app server, and the device outage runs past 5 s. Nobody wrote that overlap: the fault generator draws kills of
 * app-1 and stops of app-2 at random times, up to two at once, and explore finds the seeds whose draws overlap.
 *
 * Not a pause: a paused app server is not harmless on its own here. Its connections hang instead of being refused,
 * so haproxy keeps sending devices to it and the outage lasts the whole pause (explored live: a 9 s pause of app-2
 * alone gave a 10 s device outage).
 *
 * It is EXPECTED to fail under overlap, so it carries the tag `explore` and the suites leave it out (the nightly
 * suite runs with --exclude-tag explore; the gate selects `gate`). Run it with `havoc explore`, not `havoc suite`.
 */
export default {
  name: "trackr-explore-app-overlap",
  description: "fault generator over two trackr app servers: kill app-1, stop app-2, up to two at once (fails only when they overlap)",
  tags: ["trackr", "explore"],
  secrets: trackrSecrets,
  topology: trackrTopology({ appNodes: 2 }),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 50, duration: "60s", devices: 50 })],
  faultGenerator: {
    mix: [
      { weight: 1, fault: { kind: "kill", target: { names: ["app-1"] }, signal: "SIGKILL" } },
      { weight: 1, fault: { kind: "stop", target: { names: ["app-2"] }, timeoutMs: "2s" } },
    ],
    // A draw every 8 s on average from 10 s (after the steady-state gate) to 50 s; each fault lasts 8 to 15 s.
    staggerMs: "8s",
    durationMs: { min: "8s", max: "15s" },
    maxConcurrent: 2,
    phases: { quietStartMs: "10s", chaosEndMs: "50s" },
    limits: { protectRoles: ["db", "lb"] },
  },
  readback: [trackrReadback("devices")],
  slos: [
    { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    // One app server down costs ~2 s (haproxy's failed checks before it marks the node DOWN); both down is an outage.
    { id: "device-longest-outage", kind: "longest-outage", traffic: "devices", atMost: "5s" },
  ],
} satisfies ScenarioInput;
