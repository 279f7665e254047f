import type { ScenarioInput } from "../../api/index.ts";
import { trackrBackupName, trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

// As db-disk-restore-base.ts.
const restore = backupRestoreSteps({
  disaster: { id: "destroy-db", nodes: ["db"], at: "35s" },
  restore: { id: "restore-db", at: "40s", backup: trackrBackupName, point: "last-backup" },
  recoveryPoint: { traffic: "devices", atMost: "30s" },
  recoveryTime: { traffic: "devices", atMost: "30s", stableFor: "5s" },
});

/**
 * Control: a backup job that fails silently. The backup node's disk is filled at 3 s, so every base backup after
 * it fails (logged on the backup node, nobody told); the database's disk is destroyed at 35 s and restored at 40 s
 * from the newest backup there is, the one taken before traffic began. recovery-point (promise as in
 * db-disk-restore-base.ts, 30 s) must FAIL, naming acknowledged readings older than the promise that are gone.
 */
export default {
  name: "trackr-backup-disk-full-control",
  description: "control: the backup disk fills up silently, so the restore after a database disk loss loses more than one backup interval",
  tags: ["trackr", "recovery", "control"],
  expect: "fail",
  expectFailing: ["recovery-point"],
  secrets: trackrSecrets,
  topology: trackrTopology({ backup: { every: 20_000 } }),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 30, duration: "70s", devices: 30 })],
  faults: [{ id: "backup-disk-full", kind: "disk-fill", target: { names: ["backup"] }, at: "3s" }, ...restore.faults],
  readback: [trackrReadback("devices")],
  slos: restore.slos,
} satisfies ScenarioInput;
