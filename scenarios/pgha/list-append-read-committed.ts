import { defineScenario } from "../../api/index.ts";
import { pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaListAppend } from "../../systems/pgha/traffic.ts";

/**
 * Control of the consistency checker: no fault, just the classic application bug. Each append reads the key's list
 * in one statement and writes the whole list back in a second, at READ COMMITTED. Two transactions appending to a
 * key both read the same list; the second write overwrites the first's element (a lost update), which the checker
 * must name. Expected to FAIL list-append-serializable.
 */
export default defineScenario({
  name: "pgha-list-append-read-committed",
  tags: ["pgha", "postgres", "consistency", "control"],
  expect: "fail",
  expectFailing: ["list-append-serializable"],
  description: "Read-then-write appends at READ COMMITTED straight at the primary, no fault: the consistency checker must name lost updates (expected to FAIL list-append-serializable)",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: false, apps: false }),
  traffic: [pghaListAppend({ isolation: "read-committed", mode: "read-then-write", durationS: 20 })],
  tail: "2s",
  slos: [{ id: "list-append-serializable", kind: "consistency", traffic: "txns", model: "serializable" }],
});
