import type { ScenarioInput } from "../../api/index.ts";
import { galeraBackupName, galeraNodes, galeraReadback, galeraSecrets, galeraTopology } from "../../systems/galera/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

const allNodes = galeraNodes.map((n) => n.name);

/**
 * Options shared with the control (backup-disk-full-control.ts): the cluster with its off-site backup node (a
 * mariabackup of galera-2 every 20 s, standing for daily), 30 device writes/s through trackr; at 35 s the storage of
 * all three Galera nodes is destroyed at once (both providers: no node is left to copy from), at 40 s all three are
 * restored from the newest backup and started together (galera-1 bootstraps a new cluster from it, the others join
 * at the same position).
 */
export function galeraRestoreScenario(control: boolean): ScenarioInput {
  return {
    name: control ? "galera-backup-disk-full-control" : "galera-all-nodes-restore",
    description: control
      ? "control: the backup node's disk fills up silently, so restoring the cluster after every node's storage is lost loses more than one backup interval"
      : "destroy every Galera node's storage under device traffic and restore all three from the off-site mariabackup (promise: one backup interval plus a backup's duration)",
    tags: ["galera", "mysql", "recovery", ...(control ? ["control"] : [])],
    ...(control ? { expect: "fail" as const, expectFailing: ["recovery-point"] } : {}),
    secrets: galeraSecrets,
    topology: galeraTopology({ backup: { every: 20_000 } }),
    traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 30, devices: 30, duration: "90s" })],
    faults: [
      // The backup node's disk full from 3 s: every backup after it fails (in the backup node's log, nobody told).
      ...(control ? [{ id: "backup-disk-full", kind: "disk-fill" as const, target: { names: ["backup"] }, at: "3s" as const }] : []),
      { id: "all-storage-lost", kind: "storage-destroy", target: { names: allNodes, mode: "all" }, at: "35s" as const, for: "5s" as const },
      { id: "restore-cluster", kind: "restore", target: { names: allNodes, mode: "all" }, at: "40s" as const, backup: galeraBackupName, point: "last-backup" },
    ],
    readback: [galeraReadback("devices")],
    slos: [
      // One backup interval (20 s) plus what a backup takes to complete (stream, prepare: 0.5 to 3.7 s measured on
      // the loaded machine), since a disaster while a backup runs leaves the one before, as of when it began.
      { id: "recovery-point", kind: "recovery-point", traffic: "devices", fault: "all-storage-lost", restore: "restore-cluster", atMost: "25s" },
      // From the disaster to writes working again: 5 s before the restore, the copy onto three disks, the cluster's
      // bootstrap and joins, the router's and lb's checks, the apps' pools.
      { id: "recovery-time", kind: "recovery-time", traffic: "devices", fault: "all-storage-lost", from: "inject", atMost: "60s", stableFor: "5s" },
      ...(control ? [] : [{ id: "writes-before-disaster", kind: "availability" as const, traffic: "devices", window: { kind: "fault" as const, fault: "all-storage-lost", phase: "before" as const }, atLeastPercent: 98 }]),
      { id: "every-node-converged", kind: "convergence", traffic: "devices", atMost: 0 },
    ],
  };
}

/**
 * Galera's own claim for a node loss is that the others keep the data; when every node's storage is gone at once
 * (a fire, a ransomware wipe, an operator's mistake replicated everywhere) only the off-site backups are left. This
 * restores the whole cluster from them. Promise: at most 25 s of acknowledged readings lost, and none older.
 */
export default galeraRestoreScenario(false) satisfies ScenarioInput;
