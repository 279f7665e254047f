import { defineScenario } from "../../api/index.ts";
import { pghaDbNodes, pghaReadback, pghaSecrets, pghaTopology, replicationLinkOf } from "../../systems/pgha/topology.ts";
import { failoverClaimMs, pghaDevices, replicationDelayMs } from "../../systems/pgha/traffic.ts";

const primary = pghaDbNodes[0]!;
const link = replicationLinkOf(primary);

/**
 * A replica lagging when the primary dies. Every node reaches the others through its own toxiproxy link, so pg-1's
 * replication to both replicas runs through `pg-1-repl`. From 10 s that link delays what pg-1 sends by 2 s; at 20 s
 * pg-1's site goes dark: pg-1 is SIGKILLed and its link cut right after (the WAL in flight on it is gone, as on a
 * wire whose far end died). Synchronous: every commit waits for the synchronous standby, 2 s away, so
 * most writes time out during the lag (expected to FAIL writes-while-replication-lags) but the promoted standby holds
 * every acknowledged one.
 */
export default defineScenario({
  name: "pgha-lagging-replica-sync",
  tags: ["pgha", "postgres", "replication-lag"],
  // Both modes pay: sync with writes during the lag, async with the writes the lagging replica never got.
  expect: "fail",
  expectFailing: ["writes-while-replication-lags"],
  description: "Delay the primary's replication by 2 s, then lose the primary and its link: commits wait for the lagging standby (expected to FAIL writes-while-replication-lags), which takes over holding every acknowledged write",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: true, replicationLinks: true }),
  traffic: [pghaDevices(65)],
  faults: [
    { id: "replication-lag", kind: "link-toxic", link, target: { names: [primary] }, toxic: { type: "latency", latencyMs: replicationDelayMs }, direction: "downstream", at: "10s", for: "30s" },
    // The kill first, then (as soon as its death is verified) the link: so the primary has no HA loop in which to
    // see its synchronous standby gone and fall back to asynchronous commits (non-strict synchronous_mode does that;
    // measured once with the link cut first: no standby was synchronous any more when pg-1 died, so none could be
    // promoted and writes waited 34 s for pg-1 to come back). What the link still holds then dies with it.
    { id: "kill-primary", kind: "kill", target: { role: "db", mode: "primary" }, at: "20s", for: "20s", signal: "SIGKILL" },
    { id: "primary-link-cut", kind: "link-down", link, target: { names: [primary] }, at: "20s", for: "20s" },
  ],
  readback: [pghaReadback("devices")],
  tail: "25s",
  slos: [
    // The steady state the fault is measured against. It ends 3 s before the fault: ops count in the second they
    // started, and a write started just before the fault and still in flight when it hit failed because of it.
    { id: "writes-before-fault", kind: "availability", traffic: "devices", window: { kind: "interval", from: "0s", to: "7s" }, atLeastPercent: 99 },
    // What each mode pays while replication lags (from the first whole second of the lag to the cut): async keeps
    // taking writes at full speed; sync makes every commit wait 2 s for its standby, so 24 pooled connections carry
    // at most 12 of the 40 writes a second and the rest time out (expected to FAIL in sync mode).
    { id: "writes-while-replication-lags", kind: "availability", traffic: "devices", window: { kind: "interval", from: "11s", to: "20s" }, atLeastPercent: 99 },
    { id: "failover", kind: "recovery-time", traffic: "devices", fault: "kill-primary", from: "inject", atMost: `${failoverClaimMs}ms` },
    { id: "no-acknowledged-write-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    // After the tail every PostgreSQL node holds exactly the primary's ids (a rewound node included).
    { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
  ],
});
