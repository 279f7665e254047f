import type { ScenarioInput } from "../../api/index.ts";
import { galeraReadback, galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * Every Galera node loses power at once (both providers), under device writes. Galera is often run with
 * `innodb_flush_log_at_trx_commit=2` ("durable by replication": a commit is on every node, so no single node's
 * disk needs it): the redo log is written at each commit but fsynced once a second. That holds while one node
 * survives; when all three lose power, the last second of commits is on no disk. With the default 1 each commit's
 * redo is fsynced before the client hears OK, so no acknowledged reading may be lost.
 *
 * The data directories are on lazyfs (flushed once every node has started); at 20 s all three are SIGKILLed and
 * their unfsynced writes discarded, and 10 s later they start again. Nothing bootstraps: each node recovers its
 * position from InnoDB (--wsrep-recover) and pc.recovery re-forms the primary component from gvwstate.dat (as in
 * full-crash.ts); a node behind catches up by IST from the most advanced. The heal (every node ready again) can
 * take minutes here, so the traffic runs 150 s (10 readings/s: an fsync per commit through lazyfs on this shared
 * machine did not keep up with 30/s before any fault).
 */
export function galeraPowerLossScenario(flush: 1 | 2): ScenarioInput {
  return {
    name: `galera-power-loss-flush-${flush}`,
    tags: ["galera", "mysql", "durability", "power-loss"],
    ...(flush === 2 ? { expect: "fail" as const, expectFailing: ["no-acknowledged-reading-lost"] } : {}),
    description: `All three Galera nodes (innodb_flush_log_at_trx_commit=${flush}, data on lazyfs) lose power at once for 10 s under device writes`,
    secrets: galeraSecrets,
    topology: galeraTopology({ lazyfs: { flushLogAtTrxCommit: flush } }),
    traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 10, devices: 10, duration: "150s", requestTimeout: "5s" })],
    faults: [{ id: "power-cut-all", kind: "power-loss", target: { role: "galera", mode: "all" }, at: "20s", for: "10s" }],
    readback: [galeraReadback("devices")],
    slos: [
      { id: "no-acknowledged-reading-lost", kind: "lost-writes", traffic: "devices", atMost: 0 },
      // From the cut: the nodes are down 10 s, then the cluster re-forms, and a node behind the most advanced gets
      // its missed writes by IST, or by a full SST (rsync, which blocks its donor) when the donor's gcache lacks them.
      { id: "writes-back-after-cut", kind: "recovery-time", traffic: "devices", fault: "power-cut-all", from: "inject", atMost: "60s", atLeastPercent: 99, stableFor: "5s" },
      { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
    ],
  };
}

export default galeraPowerLossScenario(1) satisfies ScenarioInput;
