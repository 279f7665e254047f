import { defineScenario, type ScenarioDefinition } from "../../api/index.ts";
import { pghaDbNodes, pghaEtcdNodes, pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaListAppend } from "../../systems/pgha/traffic.ts";

const [oldPrimary, ...replicas] = pghaDbNodes;

/**
 * zombie-primary-*.ts with list-append transactions (SERIALIZABLE, atomic appends) through pgproxy instead of
 * devices: from 10 s for 20 s pg-1 (the leader) is cut from etcd and both replicas while pgproxy still reaches it.
 * Its Patroni demotes it within loop_wait + 2 x retry_timeout (8 s); a replica is elected once the key expires.
 * The claim (PostgreSQL's SERIALIZABLE, Patroni's failover): every acknowledged transaction fits one serial order.
 * Asynchronous: what the zombie acknowledged lives only on pg-1 and is rewound away; synchronous: its commits wait
 * for a standby it cannot reach.
 */
export function listAppendZombieScenario(synchronous: boolean): ScenarioDefinition {
  const mode = synchronous ? "sync" : "async";
  return defineScenario({
    name: `pgha-list-append-zombie-primary-${mode}`,
    tags: ["pgha", "postgres", "consistency", "partition"],
    // Measured (systems/pgha/README.md, "List-append"): asynchronous, the zombie's acknowledged transactions are
    // rewound away and later reads contradict earlier ones; synchronous, the history holds.
    ...(synchronous ? {} : { expect: "fail" as const, expectFailing: ["serializable", "strict-serializable"] }),
    description: `Cut the primary from etcd and the replicas under SERIALIZABLE list-append transactions (${mode}): does the acknowledged history stay serializable?`,
    secrets: pghaSecrets,
    topology: pghaTopology({ synchronous, apps: false }),
    traffic: [pghaListAppend({ isolation: "serializable", mode: "atomic", durationS: 40 })],
    // pgproxy is in no group: it keeps reaching every node, pg-1 included.
    faults: [{ id: "isolate-primary", kind: "partition", groups: [[oldPrimary!], [...pghaEtcdNodes, ...replicas]], at: "10s", for: "20s" }],
    tail: "5s",
    slos: [
      { id: "serializable", kind: "consistency", traffic: "txns", model: "serializable" },
      { id: "strict-serializable", kind: "consistency", traffic: "txns", model: "strict-serializable" },
    ],
  });
}

export default listAppendZombieScenario(false);
