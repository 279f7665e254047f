import { defineScenario } from "../../api/index.ts";
import { pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaRegister } from "../../systems/pgha/traffic.ts";

/**
 * The same buggy read-then-write compare-and-set as register-read-committed, at SERIALIZABLE: PostgreSQL aborts the
 * second of two CAS that read the same value (SQLSTATE 40001, op type fail with the error, which the checker
 * leaves out), so every key must be linearizable.
 */
export default defineScenario({
  name: "pgha-register-serializable",
  tags: ["pgha", "postgres", "consistency", "control"],
  description: "Read-then-write compare-and-set at SERIALIZABLE straight at the primary, no fault: serialization failures abort the double CAS, every key is linearizable",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: false, apps: false }),
  traffic: [pghaRegister({ isolation: "serializable", mode: "read-then-write", durationS: 15 })],
  tail: "2s",
  slos: [{ id: "registers-linearizable", kind: "linearizable", traffic: "registers" }],
});
