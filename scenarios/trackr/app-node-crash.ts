import type { ScenarioInput } from "../../api/index.ts";
import { trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * The IoT service's first claim: losing one app server behind the load balancer costs almost no device
 * writes, and no acknowledged reading is ever lost. One app node (picked by the seed) is SIGKILLed at 20 s
 * and started again at 40 s while 50 devices readings/s keep arriving.
 */
export default {
  name: "trackr-app-node-crash",
  description: "SIGKILL one of three app servers behind haproxy for 20 s under steady device traffic",
  tags: ["trackr", "gate"],
  secrets: trackrSecrets,
  topology: trackrTopology(),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 50, duration: "60s", devices: 50 })],
  faults: [{ id: "kill-app", kind: "kill", target: { role: "app", mode: "one" }, at: "20s", for: "20s", signal: "SIGKILL" }],
  readback: [trackrReadback("devices")],
  slos: [
    { id: "device-write-availability", kind: "availability", traffic: "devices", window: { kind: "run" }, atLeastPercent: 99 },
    { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    // haproxy needs ~2 s of failed checks to mark a dead node DOWN: any outage must stay well under that scale.
    { id: "device-longest-outage", kind: "longest-outage", traffic: "devices", atMost: "5s" },
    { id: "device-failover", kind: "recovery-time", traffic: "devices", fault: "kill-app", from: "inject", atMost: "10s", atLeastPercent: 99, stableFor: "5s" },
    { id: "device-p99-latency", kind: "latency", traffic: "devices", percentile: 99, atMostMs: 1_500 },
    { id: "load-kept-up", kind: "dropped-iterations", traffic: "devices", atMost: 0 },
  ],
} satisfies ScenarioInput;
