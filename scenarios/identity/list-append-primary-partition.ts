import type { ScenarioInput } from "../../api/index.ts";
import { identitySecrets, identityTopology, initialPrimary } from "../../systems/identity/topology.ts";
import { identityListAppend } from "../../systems/identity/traffic.ts";

/**
 * List-append transactions (MULTI/EXEC) straight at Redis while the primary's server (id-1) is cut from the two
 * others from 10 s for 10 s; the clients (on the host) still reach all three. The majority's Sentinels promote a
 * replica; id-1 goes on answering as a primary until Sentinel turns it into a replica some 10 s after the heal,
 * discarding what it took meanwhile. Each process asks ROLE from its own server on and stays on the primary it
 * found until a refusal or a broken connection sends it looking again.
 * - `unprotected`: every transaction acknowledged at once (asynchronous replication).
 * - `wait`: WAIT 1 (500 ms) after every transaction; ok only once a replica has it.
 * The claim under test (the design's, systems/identity/README.md): a failover loses nothing acknowledged, with WAIT
 * at least; as a history, every acknowledged transaction fits one serial order.
 */
export function listAppendPartitionScenario(configuration: "unprotected" | "wait"): ScenarioInput {
  const wait = configuration === "wait";
  return {
    name: `identity-list-append-primary-partition${wait ? "-wait" : ""}`,
    tags: ["identity", "redis", "consistency", "partition"],
    // Measured (systems/identity/README.md, "List-append"): without WAIT what the cut-off primary acknowledged is
    // discarded when it is demoted, and later reads contradict earlier ones; with WAIT 1 the history holds.
    ...(wait ? {} : { expect: "fail" as const, expectFailing: ["serializable", "strict-serializable"] }),
    description: `List-append MULTI/EXEC transactions across a partition of the Redis primary (${wait ? "WAIT 1 after each" : "no WAIT"}): is the acknowledged history serializable?`,
    secrets: identitySecrets,
    topology: identityTopology(),
    traffic: [identityListAppend({ durationS: 40, ...(wait ? { waitReplicas: 1, waitTimeoutMs: 500 } : {}) })],
    faults: [{ id: "partition-primary", kind: "partition", groups: [[initialPrimary], ["id-2", "id-3"]], at: "10s", for: "10s" }],
    tail: "2s",
    slos: [
      { id: "serializable", kind: "consistency", traffic: "txns", model: "serializable" },
      { id: "strict-serializable", kind: "consistency", traffic: "txns", model: "strict-serializable" },
    ],
  };
}

export default listAppendPartitionScenario("unprotected") satisfies ScenarioInput;
