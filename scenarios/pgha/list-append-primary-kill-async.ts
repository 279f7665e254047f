import { defineScenario } from "../../api/index.ts";
import { pghaSecrets, pghaTopology } from "../../systems/pgha/topology.ts";
import { failoverClaimMs, pghaListAppend } from "../../systems/pgha/traffic.ts";

/**
 * List-append transactions (atomic appends, SERIALIZABLE) while the primary is SIGKILLed at 15 s and started again at
 * 35 s. Asynchronous replication: a commit the dead primary acknowledged but had not streamed is gone on the new
 * primary; a read that saw it before the kill and a later read without it disagree (incompatible-order), and an
 * acknowledged append never seen again is silent unless a read saw it. Transactions cut by the kill are info.
 */
export default defineScenario({
  name: "pgha-list-append-primary-kill-async",
  tags: ["pgha", "postgres", "consistency", "failover"],
  description: "SIGKILL the Patroni primary under list-append transactions at SERIALIZABLE (atomic appends): does the history stay serializable across an asynchronous failover?",
  secrets: pghaSecrets,
  topology: pghaTopology({ synchronous: false, apps: false }),
  traffic: [pghaListAppend({ isolation: "serializable", mode: "atomic", durationS: 50 })],
  faults: [{ id: "kill-primary", kind: "kill", target: { role: "db", mode: "primary" }, at: "15s", for: "20s", signal: "SIGKILL" }],
  tail: "5s",
  slos: [
    { id: "list-append-serializable", kind: "consistency", traffic: "txns", model: "serializable" },
    // Not recovery-time: its 99 % bar never holds here, serialization failures (op type fail) are part of the workload.
    { id: "longest-outage", kind: "longest-outage", traffic: "txns", atMost: `${failoverClaimMs}ms` },
  ],
});
