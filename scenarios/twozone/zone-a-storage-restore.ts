import type { ScenarioInput } from "../../api/index.ts";
import { twozoneCopyName, twozoneReadback, twozoneSecrets, twozoneTopology } from "../../systems/twozone/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

const restore = backupRestoreSteps({
  disaster: { id: "zone-a-storage-lost", nodes: ["db-a", "backup-a"], at: "85s" },
  restore: { id: "restore-from-zone-b", nodes: ["db-a"], at: "90s", backup: twozoneCopyName, point: "last-backup" },
  recoveryPoint: { traffic: { "recovery-point-a": "writers-a", "recovery-point-b": "writers-b" }, atMost: "70s" },
  // From the disaster to writes working again: 5 s before the restore starts, the restore (copying ~50 MB from
  // zone B, PostgreSQL's start with its fsync of the data directory: 15 to 25 s on the loaded 2-core machine),
  // app-a reconnecting.
  recoveryTime: { traffic: "writers-a", atMost: "45s", stableFor: "5s" },
});

/**
 * The two-zone design's backup claim: "a complete failure of all storage in Aachen can be restored from Titan
 * backup, losing max. a week". Daily base backups of the primary are kept in zone A (`backup-a`, one every 20 s
 * standing for a day) and every third of them, a "weekly" copy, goes to zone B (`backup-b`, every 60 s). At 85 s all
 * of zone A's storage is destroyed: the primary's disk and the disk of its local backups (both nodes SIGKILLed and
 * their data volumes emptied). At 90 s the newest zone-B copy is restored onto a fresh primary `db-a` (the same
 * node on an emptied disk), which ends its recovery on a new timeline (timeline 2: the export's recovery.signal), so
 * zone B's standby refuses it with a timeline error rather than streaming another history. Promise: at most 70 s of
 * acknowledged writes lost, and none older: one copy interval (60 s) plus the time the daily backup being copied
 * and its copy take to complete (10 s), since a disaster just before a copy lands leaves the copy before it, whose
 * data is as of when its daily backup began.
 */
export default {
  name: "twozone-zone-a-storage-restore",
  description: "destroy all of zone A's storage (primary and local backups) and restore the newest zone-B copy (promise: one copy interval)",
  tags: ["twozone", "recovery"],
  secrets: twozoneSecrets,
  topology: twozoneTopology({ backups: { dailyEvery: 20_000, copyEvery: 60_000 } }),
  traffic: [
    deviceFleet({ name: "writers-a", target: { node: "proxy-a", port: 80 }, ratePerSecond: 5, devices: 5, duration: "140s" }),
    deviceFleet({ name: "writers-b", target: { node: "proxy-b", port: 80 }, ratePerSecond: 5, devices: 5, duration: "140s" }),
  ],
  faults: restore.faults,
  // db-b read too (history.json `writes.<class>.convergence`), not judged: nothing rebuilds zone B's standby here, so
  // it still holds the history the restore lost (zone-a-storage-restore-rebuild-standby.ts rebuilds and judges it).
  readback: [twozoneReadback("writers-a", { standby: true }), twozoneReadback("writers-b", { standby: true })],
  slos: [
    ...restore.slos,
    // 95, not trackr's 99: with the primary on a loop disk and a base backup's checkpoint every 20 s, a few requests
    // in a thousand time out on the shared 2-core machine at a load average of 40 to 60.
    { id: "writes-before-disaster", kind: "availability", traffic: "writers-a", window: { kind: "fault", fault: "zone-a-storage-lost", phase: "before" }, atLeastPercent: 95 },
  ],
} satisfies ScenarioInput;
