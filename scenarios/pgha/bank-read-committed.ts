import { defineScenario } from "../../api/index.ts";
import { pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { pghaBank } from "../../systems/pgha/traffic.ts";

/**
 * Control of the bank checker: no fault, just the classic application bug. Each transfer reads both balances,
 * computes the new ones in the app and writes them back as absolute values, at READ COMMITTED. Two transfers that
 * touch one account both read its old balance and the later write erases the earlier: money appears or vanishes,
 * and every later read of all balances sums to the wrong total. Expected to FAIL bank-total.
 */
export default defineScenario({
  name: "pgha-bank-read-committed",
  tags: ["pgha", "postgres", "consistency", "control"],
  expect: "fail",
  expectFailing: ["bank-total"],
  description: "Read-then-write transfers at READ COMMITTED straight at the primary, no fault: reads must show a wrong total (expected to FAIL bank-total)",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: false, apps: false }),
  traffic: [pghaBank({ isolation: "read-committed", mode: "read-then-write", durationS: 15 })],
  tail: "2s",
  slos: [{ id: "bank-total", kind: "bank", traffic: "bank" }],
});
