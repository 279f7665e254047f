import type { ScenarioInput } from "../../api/index.ts";
import { twozoneReadback, twozoneSecrets, twozoneTopology, zones } from "../../systems/twozone/topology.ts";
import { deviceFleet, userSessions } from "../../systems/trackr/traffic.ts";

/** Devices writing and people reading in both zones' proxies: what both twozone scenarios drive for 50 s. */
export const twozoneTraffic: ScenarioInput["traffic"] = [
  deviceFleet({ name: "writers-a", target: { node: "proxy-a", port: 80 }, ratePerSecond: 20, devices: 20, duration: "50s" }),
  deviceFleet({ name: "writers-b", target: { node: "proxy-b", port: 80 }, ratePerSecond: 20, devices: 20, duration: "50s" }),
  // Readers only: people whose sessions write would mix refused writes into the read availability.
  userSessions({ name: "readers-b", target: { node: "proxy-b", port: 80 }, users: 20, rampUp: "2s", writesPerMinute: 0, duration: "50s" }),
];

/**
 * The two-zone design's first claim: a split between the zones leaves zone B read-only. For 20 s every packet
 * between zone A's and zone B's nodes is dropped (nft in each node's namespace). Zone B keeps serving reads from its
 * standby; its writes, which its proxy sends to zone A, are refused (the test checks they fail, not hang or vanish);
 * zone A keeps accepting writes; and no acknowledged write from either zone is missing from the primary afterwards.
 */
export default {
  name: "twozone-zone-split",
  description: "Cut zone A from zone B for 20 s: zone B stays readable, zone A writable, nothing acknowledged is lost",
  tags: ["twozone"],
  secrets: twozoneSecrets,
  topology: twozoneTopology(),
  traffic: twozoneTraffic,
  faults: [{ id: "zone-split", kind: "zone-cut", zones: [...zones], at: "15s", for: "20s" }],
  readback: [twozoneReadback("writers-a"), twozoneReadback("writers-b")],
  slos: [
    { id: "zone-b-reads-during-split", kind: "availability", traffic: "readers-b", window: { kind: "fault", fault: "zone-split", phase: "during" }, atLeastPercent: 99 },
    { id: "zone-a-writes-during-split", kind: "availability", traffic: "writers-a", window: { kind: "fault", fault: "zone-split", phase: "during" }, atLeastPercent: 99 },
    { id: "zone-b-writes-before-split", kind: "availability", traffic: "writers-b", window: { kind: "fault", fault: "zone-split", phase: "before" }, atLeastPercent: 99 },
    { id: "no-zone-a-write-lost", kind: "lost-writes", traffic: "writers-a", atMost: 0 },
    { id: "no-zone-b-write-lost", kind: "lost-writes", traffic: "writers-b", atMost: 0 },
  ],
} satisfies ScenarioInput;
