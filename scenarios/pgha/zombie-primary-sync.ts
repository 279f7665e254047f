import { defineScenario } from "../../api/index.ts";
import { pghaDbNodes, pghaEtcdNodes, pghaReadback, pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { failoverClaimMs, pghaDevices } from "../../systems/pgha/traffic.ts";

const [oldPrimary, ...replicas] = pghaDbNodes;

/**
 * The classic zombie primary: at 15 s pg-1 (the first leader) is cut from etcd and from both replicas, while pgproxy
 * (and through it the apps) still reach it, for 25 s. Its Patroni cannot renew the leader key, so it demotes itself
 * within loop_wait + 2 x retry_timeout (8 s), before the key expires (ttl, 10 s) and a replica is elected. Until then
 * pgproxy still sends writes to it. Synchronous: its commits wait for a standby it cannot reach, so nothing
 * it acknowledges is lost.
 */
export default defineScenario({
  name: "pgha-zombie-primary-sync",
  tags: ["pgha", "postgres", "partition"],
  description: "Cut the primary from etcd and the replicas while the apps still reach it: its commits block until Patroni demotes it, a standby takes over, nothing acknowledged is lost",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: true }),
  traffic: [pghaDevices(70)],
  faults: [
    {
      id: "isolate-primary",
      kind: "partition",
      // pgproxy, the apps and lb are in no group: they keep reaching every node, pg-1 included (pgproxy's health
      // checks too, so it follows what Patroni's REST API says on each side).
      groups: [[oldPrimary!], [...pghaEtcdNodes, ...replicas]],
      at: "15s",
      for: "25s",
    },
  ],
  readback: [pghaReadback("devices")],
  tail: "25s",
  slos: [
    // The steady state the fault is measured against. It ends 3 s before the fault: ops count in the second they
    // started, and a write started just before the fault and still in flight when it hit failed because of it.
    { id: "writes-before-fault", kind: "availability", traffic: "devices", window: { kind: "interval", from: "0s", to: "12s" }, atLeastPercent: 99 },
    // From the last write the zombie took to the first the new leader took: demotion to election to routing.
    { id: "longest-write-outage", kind: "longest-outage", traffic: "devices", window: { kind: "fault", fault: "isolate-primary", phase: "during" }, atMost: `${failoverClaimMs}ms` },
    { id: "no-acknowledged-write-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
    // After the tail every PostgreSQL node holds exactly the primary's ids (a rewound node included).
    { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
  ],
});
