import { defineScenario, type ScenarioDefinition } from "../../api/index.ts";
import { pghaDbNodes, pghaSecrets, pghaTopology, replicationLinkOf } from "../../systems/pgha/topology.ts";
import { pghaListAppend, replicationDelayMs } from "../../systems/pgha/traffic.ts";

const primary = pghaDbNodes[0]!;
const link = replicationLinkOf(primary);

/**
 * lagging-replica-*.ts with list-append transactions (SERIALIZABLE, atomic appends) through pgproxy: from 8 s pg-1's
 * replication link delays what it sends by 2 s; at 15 s pg-1 is SIGKILLed and its link cut right after (the WAL in
 * flight dies with it), for 15 s. The claim: every acknowledged transaction fits one serial order across the
 * failover. Asynchronous: the promoted replica is about 2 s behind; synchronous: commits wait for the lagging
 * standby, which then holds every acknowledged one.
 */
export function listAppendLaggingScenario(synchronous: boolean): ScenarioDefinition {
  const mode = synchronous ? "sync" : "async";
  return defineScenario({
    name: `pgha-list-append-lagging-replica-${mode}`,
    tags: ["pgha", "postgres", "consistency", "replication-lag"],
    // Measured (systems/pgha/README.md, "List-append"): asynchronous, the promoted replica lacks the last acknowledged
    // transactions and later reads contradict earlier ones; synchronous, the history holds.
    ...(synchronous ? {} : { expect: "fail" as const, expectFailing: ["serializable", "strict-serializable"] }),
    description: `Delay the primary's replication by 2 s, then lose the primary, under SERIALIZABLE list-append transactions (${mode}): does the acknowledged history stay serializable?`,
    secrets: pghaSecrets,
    topology: pghaTopology({ synchronous, apps: false, replicationLinks: true }),
    traffic: [pghaListAppend({ isolation: "serializable", mode: "atomic", durationS: 40 })],
    faults: [
      { id: "replication-lag", kind: "link-toxic", link, target: { names: [primary] }, toxic: { type: "latency", latencyMs: replicationDelayMs }, direction: "downstream", at: "8s", for: "22s" },
      // The kill first, then the link (lagging-replica-async.ts says why).
      { id: "kill-primary", kind: "kill", target: { role: "db", mode: "primary" }, at: "15s", for: "15s", signal: "SIGKILL" },
      { id: "primary-link-cut", kind: "link-down", link, target: { names: [primary] }, at: "15s", for: "15s" },
    ],
    tail: "5s",
    slos: [
      { id: "serializable", kind: "consistency", traffic: "txns", model: "serializable" },
      { id: "strict-serializable", kind: "consistency", traffic: "txns", model: "strict-serializable" },
    ],
  });
}

export default listAppendLaggingScenario(false);
