import { defineScenario, type ScenarioDefinition } from "../../api/index.ts";
import { pghaDbNodes, pghaSecrets, pghaTopology, replicationLinkOf } from "../../systems/pgha/topology.ts";
import { pghaRegister, replicationDelayMs } from "../../systems/pgha/traffic.ts";

const primary = pghaDbNodes[0]!;
const link = replicationLinkOf(primary);

/**
 * lagging-replica-*.ts with Jepsen's cas-register (reads, writes, one-statement compare-and-sets at SERIALIZABLE)
 * through pgproxy: from 8 s pg-1's replication link delays what it sends by 2 s; at 15 s pg-1 is SIGKILLed and its
 * link cut right after (the WAL in flight dies with it), for 15 s. The claim: every key is linearizable across the
 * failover. Asynchronous: the promoted replica is about 2 s behind; synchronous: commits wait for the lagging
 * standby, which then holds every acknowledged one.
 */
export function registerLaggingScenario(synchronous: boolean): ScenarioDefinition {
  const mode = synchronous ? "sync" : "async";
  return defineScenario({
    name: `pgha-register-lagging-replica-${mode}`,
    tags: ["pgha", "postgres", "consistency", "replication-lag"],
    description: `Delay the primary's replication by 2 s, then lose the primary, under SERIALIZABLE register ops (${mode}): is every key linearizable?`,
    secrets: pghaSecrets,
    topology: pghaTopology({ synchronous, apps: false, replicationLinks: true }),
    traffic: [pghaRegister({ isolation: "serializable", mode: "atomic", durationS: 40 })],
    faults: [
      { id: "replication-lag", kind: "link-toxic", link, target: { names: [primary] }, toxic: { type: "latency", latencyMs: replicationDelayMs }, direction: "downstream", at: "8s", for: "22s" },
      // The kill first, then the link (lagging-replica-async.ts says why).
      { id: "kill-primary", kind: "kill", target: { role: "db", mode: "primary" }, at: "15s", for: "15s", signal: "SIGKILL" },
      { id: "primary-link-cut", kind: "link-down", link, target: { names: [primary] }, at: "15s", for: "15s" },
    ],
    tail: "5s",
    slos: [{ id: "registers-linearizable", kind: "linearizable", traffic: "registers" }],
  });
}

export default registerLaggingScenario(false);
