import { defineScenario } from "../../api/index.ts";
import { pghaReadback, pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { failoverClaimMs, pghaDevices } from "../../systems/pgha/traffic.ts";

/**
 * The primary SIGKILLed under device writes (its whole container: Patroni and PostgreSQL die together) at 15 s and started
 * again at 35 s, when it rejoins as a replica (crash recovery, pg_rewind). Synchronous replication: a synchronous standby holds every
 * acknowledged commit, so it takes over within ttl and nothing acknowledged is lost.
 */
export default defineScenario({
  name: "pgha-primary-kill-sync",
  tags: ["pgha", "postgres", "failover", "ci"],
  description: "SIGKILL the Patroni primary under device writes: a synchronous standby takes over within ttl, nothing acknowledged is lost, every node converges",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: true }),
  traffic: [pghaDevices(60)],
  faults: [{ id: "kill-primary", kind: "kill", target: { role: "db", mode: "primary" }, at: "15s", for: "20s", signal: "SIGKILL" }],
  readback: [pghaReadback("devices")],
  tail: "20s",
  slos: [
    // The steady state the fault is measured against. It ends 3 s before the fault: ops count in the second they
    // started, and a write started just before the fault and still in flight when it hit failed because of it.
    { id: "writes-before-fault", kind: "availability", traffic: "devices", window: { kind: "interval", from: "0s", to: "12s" }, atLeastPercent: 99 },
    // Patroni's promise: writes work again within ttl + loop_wait + 3 s of the kill.
    { id: "failover", kind: "recovery-time", traffic: "devices", fault: "kill-primary", from: "inject", atMost: `${failoverClaimMs}ms` },
    { id: "no-acknowledged-write-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    // After the tail every PostgreSQL node holds exactly the primary's ids (a rewound node included).
    { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
  ],
});
