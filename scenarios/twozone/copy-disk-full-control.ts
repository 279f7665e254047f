import type { ScenarioInput } from "../../api/index.ts";
import { twozoneCopyName, twozoneReadback, twozoneSecrets, twozoneTopology } from "../../systems/twozone/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

// As zone-a-storage-restore.ts.
const restore = backupRestoreSteps({
  disaster: { id: "zone-a-storage-lost", nodes: ["db-a", "backup-a"], at: "85s" },
  restore: { id: "restore-from-zone-b", nodes: ["db-a"], at: "90s", backup: twozoneCopyName, point: "last-backup" },
  recoveryPoint: { traffic: { "recovery-point-a": "writers-a", "recovery-point-b": "writers-b" }, atMost: "70s" },
  recoveryTime: { traffic: "writers-a", atMost: "45s", stableFor: "5s" },
});

/**
 * Control: the weekly copy to zone B fails silently. zone-a-storage-restore.ts with one change: zone B's copy disk
 * (`backup-b`'s /backups) is filled at 3 s, so every copy after the first (taken before traffic began) fails with
 * "No space left on device", logged on backup-b and told to nobody, while zone A's daily backups go on. At 85 s all
 * of zone A's storage is destroyed, at 90 s the newest zone-B copy there is is restored: the one from before
 * traffic. recovery-point (promise as in zone-a-storage-restore.ts, 70 s) must FAIL for both classes, naming
 * acknowledged writes older than the promise that are gone.
 */
export default {
  name: "twozone-copy-disk-full-control",
  description: "control: zone B's copy disk fills up silently, so the restore after zone A's storage is lost loses more than one copy interval",
  tags: ["twozone", "recovery", "control"],
  expect: "fail",
  expectFailing: ["recovery-point-a", "recovery-point-b"],
  secrets: twozoneSecrets,
  topology: twozoneTopology({ backups: { dailyEvery: 20_000, copyEvery: 60_000 } }),
  traffic: [
    deviceFleet({ name: "writers-a", target: { node: "proxy-a", port: 80 }, ratePerSecond: 5, devices: 5, duration: "140s" }),
    deviceFleet({ name: "writers-b", target: { node: "proxy-b", port: 80 }, ratePerSecond: 5, devices: 5, duration: "140s" }),
  ],
  faults: [{ id: "copy-disk-full", kind: "disk-fill", target: { names: ["backup-b"] }, at: "3s" }, ...restore.faults],
  readback: [twozoneReadback("writers-a"), twozoneReadback("writers-b")],
  slos: restore.slos,
} satisfies ScenarioInput;
