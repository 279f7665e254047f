import type { ScenarioInput } from "../../api/index.ts";
import { identityReadback, identitySecrets, identityServerList, identityTopology } from "../../systems/identity/topology.ts";
import { identityClients } from "../../systems/identity/traffic.ts";

/** Every client holds id-2, id-3, id-1: its first server is a replica's server, so no failover is involved. */
const servers = identityServerList(["id-2", "id-3", "id-1"]);

/**
 * The clients' own failover: the first server in every client's list (id-2, whose Redis is a replica) is SIGKILLed
 * for 20 s. Two kinds of client hold the same list: "sticky" ones stay on the server that last answered (they pay
 * one refused attempt each, then stay on id-3), "in-order" ones start at the top of the list on every request (every
 * request pays a refused attempt on id-2 before id-3 answers). Every request still succeeds; the attempts' error
 * rate is what tells them apart. Nothing acknowledged is lost: the primary never moved.
 */
export default {
  name: "identity-first-server-dies",
  tags: ["identity", "redis", "client-failover"],
  // In-order clients pay a refused attempt on every request while their first server is down: the price shown.
  expect: "fail",
  expectFailing: ["in-order-attempts-ok-during"],
  description: "SIGKILL the first server of every client's list (a replica's) for 20 s: the clients' error rate while they move on",
  secrets: identitySecrets,
  topology: identityTopology(),
  traffic: [
    identityClients({ name: "sticky", servers, resume: "last-good", ratePerSecond: 30, clients: 60, duration: "50s", keySecret: "client-passwords" }),
    identityClients({ name: "in-order", servers, resume: "first", ratePerSecond: 30, clients: 60, duration: "50s", keySecret: "client-passwords" }),
  ],
  faults: [{ id: "kill-first-server", kind: "kill", target: { names: ["id-2"] }, at: "15s", for: "20s", signal: "SIGKILL" }],
  readback: [identityReadback("sticky"), identityReadback("in-order")],
  slos: [
    // Sticky clients: one refused attempt each when id-2 dies, then none. At most 60 refusals (one per client) among
    // about 30/s x 21 s = 630 requests during the kill: at least 90.5 % ok, 88 % with room for a slow second.
    { id: "sticky-attempts-ok-during", kind: "availability", traffic: "sticky", window: { kind: "fault", fault: "kill-first-server", phase: "during" }, atLeastPercent: 88 },
    { id: "sticky-outage", kind: "longest-outage", traffic: "sticky", atMost: "1s" },
    // In-order clients: about every other attempt fails while id-2 is down (expected to FAIL: this is the price).
    { id: "in-order-attempts-ok-during", kind: "availability", traffic: "in-order", window: { kind: "fault", fault: "kill-first-server", phase: "during" }, atLeastPercent: 95 },
    { id: "no-sticky-write-lost", kind: "lost-writes", traffic: "sticky", atMost: 0 },
    { id: "no-in-order-write-lost", kind: "lost-writes", traffic: "in-order", atMost: 0 },
  ],
} satisfies ScenarioInput;
