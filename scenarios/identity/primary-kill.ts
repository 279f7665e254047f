import type { ScenarioInput } from "../../api/index.ts";
import { identityReadback, identityRole, identitySecrets, identityTopology } from "../../systems/identity/topology.ts";
import { identityTraffic } from "../../systems/identity/traffic.ts";

/**
 * The primary's server is SIGKILLed (Redis, its Sentinel and its app at once) and started again 20 s later.
 * The design's promise: Sentinel fails over within down-after-milliseconds (2 s) plus an election, so clients are
 * served again within 5 s; nothing acknowledged is lost. What Redis actually does: the new primary is chosen in
 * about 3.5 s, and the old primary, started again by its own configuration, is a primary for a few seconds until
 * Sentinel turns it into a replica: what its own app (which asks its own Sentinel first) writes there is
 * acknowledged and then discarded.
 */
export default {
  name: "identity-primary-kill",
  tags: ["identity", "redis", "failover"],
  description: "SIGKILL the Redis primary's server for 20 s: failover time against Sentinel's promise, sessions lost",
  secrets: identitySecrets,
  topology: identityTopology(),
  traffic: identityTraffic(),
  faults: [{ id: "kill-primary", kind: "kill", target: { role: identityRole, mode: "primary" }, at: "20s", for: "20s", signal: "SIGKILL" }],
  readback: [identityReadback("clients"), identityReadback("people")],
  slos: [
    { id: "failover-within-promise", kind: "recovery-time", traffic: "clients", fault: "kill-primary", atMost: "5s", atLeastPercent: 95 },
    { id: "no-client-write-lost", kind: "lost-writes", traffic: "clients", atMost: 0 },
    { id: "no-person-write-lost", kind: "lost-writes", traffic: "people", atMost: 0 },
    { id: "tokens-validate-at-once", kind: "stale-reads", traffic: "people", atMost: 0 },
    { id: "servers-converge", kind: "convergence", traffic: "clients", atMost: 0 },
  ],
} satisfies ScenarioInput;
