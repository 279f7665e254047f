import { defineScenario } from "../../api/index.ts";
import { pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaBank } from "../../systems/pgha/traffic.ts";

/**
 * The same buggy read-then-write transfers as bank-read-committed, at SERIALIZABLE: PostgreSQL aborts the second of
 * two transfers that read the same balance (40001), so every read sums to the opening total.
 */
export default defineScenario({
  name: "pgha-bank-serializable",
  tags: ["pgha", "postgres", "consistency", "control"],
  description: "Read-then-write transfers at SERIALIZABLE straight at the primary, no fault: serialization failures abort the conflicting transfers, every read sums to the opening total",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: false, apps: false }),
  traffic: [pghaBank({ isolation: "serializable", mode: "read-then-write", durationS: 15 })],
  tail: "2s",
  slos: [{ id: "bank-total", kind: "bank", traffic: "bank" }],
});
