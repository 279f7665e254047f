import type { ScenarioInput } from "../../api/index.ts";
import { trackrBackupName, trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

const restore = backupRestoreSteps({
  disaster: { id: "destroy-db", nodes: ["db"], at: "35s" },
  restore: { id: "restore-db", at: "40s", backup: trackrBackupName, point: "last-backup" },
  recoveryPoint: { traffic: "devices", atMost: "30s" },
  // From the disaster to writes working again: 5 s before the restore starts, the restore (copying ~50 MB and
  // starting PostgreSQL: 6 to 18 s measured), the apps reconnecting.
  recoveryTime: { traffic: "devices", atMost: "30s", stableFor: "5s" },
});

/**
 * The IoT service's backup claim: "backups can restore the majority of the data ... some data loss may still be
 * inevitable". The database's disk is destroyed at 35 s (the node killed, every file of its data volume deleted) and
 * at 40 s a fresh db is restored from the newest base backup the off-site backup node took (one every 20 s, standing
 * for daily). Promise: at most 30 s of acknowledged readings is lost, and none older: one backup interval (20 s) plus
 * the time a base backup takes to complete (1.5 to 7.6 s measured on a loaded 2-core machine), since a disaster
 * while the next backup runs leaves only the one before it, which holds writes up to about when it began.
 */
export default {
  name: "trackr-db-disk-restore-base",
  description: "destroy the database disk under device traffic and restore it from the last base backup (promise: one backup interval)",
  tags: ["trackr", "recovery"],
  secrets: trackrSecrets,
  topology: trackrTopology({ backup: { every: 20_000 } }),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 30, duration: "70s", devices: 30 })],
  faults: restore.faults,
  readback: [trackrReadback("devices")],
  slos: [
    ...restore.slos,
    { id: "writes-before-disaster", kind: "availability", traffic: "devices", window: { kind: "fault", fault: "destroy-db", phase: "before" }, atLeastPercent: 99 },
  ],
} satisfies ScenarioInput;
