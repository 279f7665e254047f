import { defineScenario } from "../../api/index.ts";
import { pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaRegister } from "../../systems/pgha/traffic.ts";

/**
 * Control of the linearizability checker: no fault, just the classic application bug. Each compare-and-set reads
 * the register in one statement and writes unconditionally in a second, at READ COMMITTED. Two CAS from the same
 * value both read it, both write, both report success: no order of atomic operations allows that, and Porcupine
 * must find the key. Expected to FAIL registers-linearizable.
 */
export default defineScenario({
  name: "pgha-register-read-committed",
  tags: ["pgha", "postgres", "consistency", "control"],
  expect: "fail",
  expectFailing: ["registers-linearizable"],
  description: "Read-then-write compare-and-set at READ COMMITTED straight at the primary, no fault: Porcupine must find a key that is not linearizable (expected to FAIL registers-linearizable)",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: false, apps: false }),
  traffic: [pghaRegister({ isolation: "read-committed", mode: "read-then-write", durationS: 15 })],
  tail: "2s",
  slos: [{ id: "registers-linearizable", kind: "linearizable", traffic: "registers" }],
});
