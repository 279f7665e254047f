import type { ScenarioInput } from "../../api/index.ts";
import { twozoneReadback, twozoneSecrets, twozoneTopology } from "../../systems/twozone/topology.ts";
import { twozoneTraffic } from "./zone-split.ts";

/**
 * The two-zone design's second claim: losing zone A (the primary's zone) leaves the whole system read-only, and
 * nothing promotes zone B's standby behind anyone's back. Every zone A node (database, app, proxy) is SIGKILLed at
 * 15 s and started again at 35 s. Zone B keeps serving reads; all writes fail while zone A is gone (the test checks
 * that); afterwards the primary holds every write it acknowledged.
 */
export default {
  name: "twozone-zone-a-loss",
  description: "SIGKILL all of zone A for 20 s: zone B stays readable, writes stop, nothing acknowledged is lost",
  tags: ["twozone"],
  secrets: twozoneSecrets,
  topology: twozoneTopology(),
  traffic: twozoneTraffic,
  faults: [{ id: "zone-a-loss", kind: "kill", target: { names: ["db-a", "app-a", "proxy-a"], mode: "all" }, at: "15s", for: "20s", signal: "SIGKILL" }],
  readback: [twozoneReadback("writers-a"), twozoneReadback("writers-b")],
  slos: [
    { id: "zone-b-reads-during-loss", kind: "availability", traffic: "readers-b", window: { kind: "fault", fault: "zone-a-loss", phase: "during" }, atLeastPercent: 99 },
    { id: "no-zone-a-write-lost", kind: "lost-writes", traffic: "writers-a", atMost: 0 },
    { id: "no-zone-b-write-lost", kind: "lost-writes", traffic: "writers-b", atMost: 0 },
  ],
} satisfies ScenarioInput;
