import type { ScenarioInput } from "../../api/index.ts";
import { identitySecrets, identityTopology, initialPrimary } from "../../systems/identity/topology.ts";
import { identityRegister } from "../../systems/identity/traffic.ts";

/**
 * Registers (GET, SET, Lua compare-and-set) straight at Redis while the primary's server (id-1) is cut from the two
 * others from 10 s for 10 s; the clients (on the host) still reach all three. The same fault and the same
 * server-list clients as list-append-primary-partition.ts: the majority's Sentinels promote a replica; id-1 goes on
 * answering as a primary until Sentinel turns it into a replica some 10 s after the heal, discarding what it took.
 * - `unprotected`: every write and CAS acknowledged at once (asynchronous replication).
 * - `wait`: WAIT 1 (500 ms) after every op; a write or CAS is ok only once a replica has it.
 * The claim under test (systems/identity/README.md, claims 2 and 3): a failover loses nothing acknowledged, with
 * WAIT at least; as a history, every key's acknowledged reads, writes and CAS fit one order that respects real time.
 * Traffic runs 80 s (the list-append scenarios: 40 s) because a register history shows the loss only once the old
 * primary is demoted while ops still run, and on a loaded host Sentinel's TILT mode (30 s of no action after its
 * timer stalls 2 s) delayed that demotion to 35 s after the heal or later (README, "Registers"): 60 s of traffic
 * ended before it in one run of three.
 */
export function registerPartitionScenario(configuration: "unprotected" | "wait"): ScenarioInput {
  const wait = configuration === "wait";
  return {
    name: `identity-register-primary-partition${wait ? "-wait" : ""}`,
    tags: ["identity", "redis", "consistency", "partition"],
    // Measured (systems/identity/README.md, "Registers"): without WAIT the cut-off primary's acknowledged writes are
    // discarded when it is demoted, and reads on the promoted server contradict them (3 to 5 keys per run, 3 of 3
    // runs); with WAIT 1 every key is linearizable (3 of 3).
    ...(wait ? {} : { expect: "fail" as const, expectFailing: ["linearizable"] }),
    description: `Register GET/SET/CAS across a partition of the Redis primary (${wait ? "WAIT 1 after each" : "no WAIT"}): is every key linearizable?`,
    secrets: identitySecrets,
    topology: identityTopology(),
    traffic: [identityRegister({ durationS: 80, ...(wait ? { waitReplicas: 1, waitTimeoutMs: 500 } : {}) })],
    faults: [{ id: "partition-primary", kind: "partition", groups: [[initialPrimary], ["id-2", "id-3"]], at: "10s", for: "10s" }],
    tail: "2s",
    slos: [{ id: "linearizable", kind: "linearizable", traffic: "registers" }],
  };
}

export default registerPartitionScenario("unprotected") satisfies ScenarioInput;
