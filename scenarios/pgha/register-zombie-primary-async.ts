import { defineScenario, type ScenarioDefinition } from "../../api/index.ts";
import { pghaDbNodes, pghaEtcdNodes, pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaRegister } from "../../systems/pgha/traffic.ts";

const [oldPrimary, ...replicas] = pghaDbNodes;

/**
 * zombie-primary-*.ts with Jepsen's cas-register (reads, writes, one-statement compare-and-sets at SERIALIZABLE)
 * through pgproxy: from 10 s for 20 s pg-1 (the leader) is cut from etcd and both replicas while pgproxy still
 * reaches it. Its Patroni demotes it within loop_wait + 2 x retry_timeout (8 s); a replica is elected once the key
 * expires. The claim (one primary at a time, Patroni's failover): every key is linearizable.
 * Asynchronous: what the zombie acknowledged lives only on pg-1 and is rewound away; synchronous: its commits wait
 * for a standby it cannot reach.
 */
export function registerZombieScenario(synchronous: boolean): ScenarioDefinition {
  const mode = synchronous ? "sync" : "async";
  return defineScenario({
    name: `pgha-register-zombie-primary-${mode}`,
    tags: ["pgha", "postgres", "consistency", "partition"],
    // Measured (systems/pgha/README.md, "Registers across a zombie primary and a lagging replica"): asynchronous, the
    // new primary lacks values the zombie acknowledged and reads older ones.
    ...(synchronous ? {} : { expect: "fail" as const, expectFailing: ["registers-linearizable"] }),
    description: `Cut the primary from etcd and the replicas under SERIALIZABLE register ops (${mode}): is every key linearizable?`,
    secrets: pghaSecrets,
    topology: pghaTopology({ synchronous, apps: false }),
    traffic: [pghaRegister({ isolation: "serializable", mode: "atomic", durationS: 40 })],
    // pgproxy is in no group: it keeps reaching every node, pg-1 included.
    faults: [{ id: "isolate-primary", kind: "partition", groups: [[oldPrimary!], [...pghaEtcdNodes, ...replicas]], at: "10s", for: "20s" }],
    tail: "5s",
    slos: [{ id: "registers-linearizable", kind: "linearizable", traffic: "registers" }],
  });
}

export default registerZombieScenario(false);
