import { defineScenario } from "../../api/index.ts";
import { pghaDbNodes, pghaEtcdNodes, pghaReadback, pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaDevices, restartClaimMs } from "../../systems/pgha/traffic.ts";

/**
 * The whole cluster (three PostgreSQL nodes and three etcd members) SIGKILLed at once at 15 s and started again 5 s
 * later, as after a power loss. Writes work again once etcd has a quorum, a Patroni holds the leader key and its
 * PostgreSQL has finished crash recovery. Synchronous: the leader race can only be won by the former leader or its synchronous
 * standby, so nothing acknowledged is lost.
 */
export default defineScenario({
  name: "pgha-whole-cluster-restart-sync",
  tags: ["pgha", "postgres", "restart", "slow"],
  description: "SIGKILL every PostgreSQL node and etcd member at once and start them again after 5 s: writes come back, nothing acknowledged is lost, every node converges",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: true }),
  traffic: [pghaDevices(60)],
  faults: [{ id: "restart-cluster", kind: "kill", target: { names: [...pghaDbNodes, ...pghaEtcdNodes], mode: "all" }, at: "15s", for: "5s", signal: "SIGKILL" }],
  readback: [pghaReadback("devices")],
  tail: "25s",
  slos: [
    // The steady state the fault is measured against. It ends 3 s before the fault: ops count in the second they
    // started, and a write started just before the fault and still in flight when it hit failed because of it.
    { id: "writes-before-fault", kind: "availability", traffic: "devices", window: { kind: "interval", from: "0s", to: "12s" }, atLeastPercent: 99 },
    // Writes back within 5 s down + 10 s to start and recover + a failover's worth (the lease is lost with the kill).
    { id: "writes-back", kind: "recovery-time", traffic: "devices", fault: "restart-cluster", from: "inject", atMost: `${restartClaimMs}ms` },
    { id: "no-acknowledged-write-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    // After the tail every PostgreSQL node holds exactly the primary's ids (a rewound node included).
    { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
  ],
});
