import type { ScenarioInput } from "../../core/scenario.ts";
import appNodeCrash from "./app-node-crash.ts";

/**
 * The negative control of app-node-crash: all three app servers die for 20 s of 60, so about a third of
 * device writes must fail and the availability SLO must fail (exit 1). Proves the harness can say "fail".
 */
export default {
  ...appNodeCrash,
  name: "trackr-all-app-nodes-crash",
  description: "SIGKILL all three app servers for 20 s under steady device traffic (expected to fail availability)",
  faults: [{ id: "kill-all-apps", kind: "kill", target: { role: "app", mode: "all" }, at: "20s", for: "20s", signal: "SIGKILL" }],
} satisfies ScenarioInput;
