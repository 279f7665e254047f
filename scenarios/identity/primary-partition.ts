import type { ScenarioInput } from "../../api/index.ts";
import { identityReadback, identitySecrets, identityTopology, initialPrimary, type IdentityOptions } from "../../systems/identity/topology.ts";
import { identityTraffic } from "../../systems/identity/traffic.ts";

/** The configurations the partition scenario compares (README.md, "Configurations"). */
export const partitionConfigurations = {
  /** Redis as installed: asynchronous replication, the primary takes every write. */
  unprotected: {},
  /** The app sends WAIT 1 (500 ms) after every write and answers 504 unless a replica has it. */
  wait: { waitReplicas: 1, waitTimeoutMs: 500 },
  /** The primary refuses writes once no replica has acknowledged for 10 s (Redis's Sentinel docs, example 2). */
  "min-replicas": { minReplicasToWrite: 1, minReplicasMaxLagS: 10 },
} satisfies Record<string, IdentityOptions>;
export type PartitionConfiguration = keyof typeof partitionConfigurations;

/**
 * What each configuration is expected to do (measured, systems/identity/README.md): without protection and with
 * min-replicas-to-write the cut-off primary acknowledges writes that are discarded when it rejoins; WAIT 1 loses
 * none but its clients wait longer than the 5 s failover promise while it times out.
 */
const expectations: Record<PartitionConfiguration, Pick<ScenarioInput, "expect" | "expectFailing">> = {
  // People's sessions are written on the cut-off primary too: discarded with the rest, their tokens stop validating.
  unprotected: { expect: "fail", expectFailing: ["no-client-write-lost", "no-person-write-lost", "tokens-validate"] },
  wait: { expect: "fail", expectFailing: ["failover-within-promise"] },
  "min-replicas": { expect: "fail", expectFailing: ["no-client-write-lost", "no-person-write-lost", "tokens-validate"] },
};

/**
 * The primary's server (id-1: Redis, Sentinel, app) is cut from the two other servers for 20 s; the clients still
 * reach all three apps (they come from outside the servers' network). The majority's Sentinels elect a new primary;
 * the old one does not know, and its app keeps asking its own Sentinel, which still names it. Clients whose list
 * leads them to id-1 (one in three start there; clients of id-2 and id-3 move on when their apps time out on the
 * unreachable primary) are acknowledged writes that are discarded when id-1 rejoins as a replica. `lost` is the
 * figure compared across configurations; lost-writes is expected to FAIL wherever a configuration does not hold.
 */
export function partitionScenario(configuration: PartitionConfiguration): ScenarioInput {
  const suffix = configuration === "unprotected" ? "" : `-${configuration}`;
  return {
    name: `identity-primary-partition${suffix}`,
    tags: ["identity", "redis", "partition", ...(configuration === "unprotected" ? ["ci"] : [])],
    ...expectations[configuration],
    description: `Cut the Redis primary's server from the other two for 20 s (${configuration}): acknowledged writes lost when it rejoins`,
    secrets: identitySecrets,
    topology: identityTopology(partitionConfigurations[configuration]),
    traffic: identityTraffic(),
    faults: [{ id: "partition-primary", kind: "partition", groups: [[initialPrimary], ["id-2", "id-3"]], at: "20s", for: "20s" }],
    readback: [identityReadback("clients"), identityReadback("people")],
    slos: [
      { id: "no-client-write-lost", kind: "lost-writes", traffic: "clients", atMost: 0 },
      { id: "no-person-write-lost", kind: "lost-writes", traffic: "people", atMost: 0 },
      { id: "tokens-validate", kind: "stale-reads", traffic: "people", atMost: 0 },
      { id: "servers-converge", kind: "convergence", traffic: "clients", atMost: 0 },
      // The majority side's failover as the clients see it: down-after (2 s) + election, as in primary-kill.ts.
      { id: "failover-within-promise", kind: "recovery-time", traffic: "clients", fault: "partition-primary", atMost: "5s", atLeastPercent: 95 },
    ],
  };
}

export default partitionScenario("unprotected") satisfies ScenarioInput;
