import type { ScenarioInput } from "../../api/index.ts";
import { trackrBackupName, trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

const restore = backupRestoreSteps({
  disaster: { id: "destroy-db", nodes: ["db"], at: "35s" },
  restore: { id: "restore-db", at: "40s", backup: trackrBackupName, point: "newest-archived" },
  recoveryPoint: { traffic: "devices", atMost: "5s" },
  recoveryTime: { traffic: "devices", atMost: "30s", stableFor: "5s" },
});

/**
 * Point-in-time recovery: as trackr-db-disk-restore-base, but the backup node also receives db's WAL continuously
 * (pg_receivewal; db switches segments at least every 5 s, archive_timeout), and the restore replays every WAL
 * record it kept on top of the newest base backup. Promise: at most the archive timeout (5 s) of acknowledged
 * readings is lost.
 */
export default {
  name: "trackr-db-disk-restore-pitr",
  description: "destroy the database disk under device traffic and restore base backup + archived WAL (promise: the archive timeout)",
  tags: ["trackr", "recovery"],
  secrets: trackrSecrets,
  topology: trackrTopology({ backup: { every: 20_000, archiveTimeout: 5_000 } }),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 30, duration: "70s", devices: 30 })],
  faults: restore.faults,
  readback: [trackrReadback("devices")],
  slos: [
    ...restore.slos,
    { id: "writes-before-disaster", kind: "availability", traffic: "devices", window: { kind: "fault", fault: "destroy-db", phase: "before" }, atLeastPercent: 99 },
  ],
} satisfies ScenarioInput;
