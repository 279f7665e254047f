import type { ScenarioInput } from "../../api/index.ts";
import appNodeCrash from "./app-node-crash.ts";

/**
 * The negative control of app-node-crash: all three app servers die for 20 s of 60, so about a third of
 * device writes must fail, and the availability and longest-outage SLOs must fail (exit 1). Proves the harness
 * can say "fail", and measures the outage and the recovery after the restart on real traffic.
 */
export default {
  ...appNodeCrash,
  name: "trackr-all-app-nodes-crash",
  description: "SIGKILL all three app servers for 20 s under steady device traffic (expected to fail availability)",
  tags: ["trackr", "gate", "control"],
  // A control: it is right when availability and the outage FAIL. Lost writes and the recovery after the restart are
  // still judged as usual, so a control that also loses data fails the suite.
  expect: "fail",
  expectFailing: ["device-write-availability", "device-longest-outage"],
  faults: [{ id: "kill-all-apps", kind: "kill", target: { role: "app", mode: "all" }, at: "20s", for: "20s", signal: "SIGKILL" }],
  slos: [
    ...appNodeCrash.slos.filter((slo) => slo.kind === "availability" || slo.kind === "lost-writes"),
    // The whole 20 s is an outage (fails), and the service comes back within seconds of the restart (passes).
    { id: "device-longest-outage", kind: "longest-outage", traffic: "devices", atMost: "5s" },
    { id: "device-recovery", kind: "recovery-time", traffic: "devices", fault: "kill-all-apps", from: "heal", atMost: "15s", atLeastPercent: 99, stableFor: "5s" },
  ],
} satisfies ScenarioInput;
