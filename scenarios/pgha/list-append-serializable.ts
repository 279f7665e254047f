import { defineScenario } from "../../api/index.ts";
import { pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaListAppend } from "../../systems/pgha/traffic.ts";

/**
 * The same buggy read-then-write client as list-append-read-committed, at SERIALIZABLE: PostgreSQL's serializable
 * snapshot isolation aborts one of two transactions that would lose an update (SQLSTATE 40001, recorded as op type
 * fail, which the checker ignores), so the history must be serializable.
 */
export default defineScenario({
  name: "pgha-list-append-serializable",
  tags: ["pgha", "postgres", "consistency", "control"],
  description: "Read-then-write appends at SERIALIZABLE straight at the primary, no fault: serialization failures abort the would-be lost updates, the history checks serializable",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: false, apps: false }),
  traffic: [pghaListAppend({ isolation: "serializable", mode: "read-then-write", durationS: 20 })],
  tail: "2s",
  slos: [{ id: "list-append-serializable", kind: "consistency", traffic: "txns", model: "serializable" }],
});
