import type { ScenarioInput } from "../../api/index.ts";
import { twozoneCopyName, twozoneReadback, twozoneSecrets, twozoneTopology } from "../../systems/twozone/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

// The disaster and the restore as in zone-a-storage-restore.ts (same times, same promises), so the two measure
// the same restore; this one goes on to the rebuild of zone B's standby.
const restore = backupRestoreSteps({
  disaster: { id: "zone-a-storage-lost", nodes: ["db-a", "backup-a"], at: "85s" },
  restore: { id: "restore-from-zone-b", nodes: ["db-a"], at: "90s", backup: twozoneCopyName, point: "last-backup" },
  recoveryPoint: { traffic: { "recovery-point-a": "writers-a", "recovery-point-b": "writers-b" }, atMost: "70s" },
  recoveryTime: { traffic: "writers-a", atMost: "45s", stableFor: "5s" },
});

/**
 * The operators' runbook after zone A's storage is restored from zone B (systems/twozone/README.md, "Rebuilding
 * zone B's standby"): zone-a-storage-restore.ts (all of zone A's storage destroyed at 85 s, the newest zone-B copy
 * restored onto `db-a` at 90 s, ending on a new timeline), then zone B's standby `db-b` rebuilt from the restored
 * primary: at 110 s (or once the restore is done, if later: steps wait behind a restore) `db-b` is restarted with an
 * empty data directory (a tmpfs), so its entrypoint clones `db-a` afresh with pg_basebackup and streams from it.
 * Until then db-b refuses the restored primary's timeline 2 and serves the history the restore lost. The claim:
 * afterwards zone B holds exactly what the primary holds (`convergence` of db-b against db-a, per class, read after
 * the traffic), and writes keep working while the standby is cloned. 20 s more traffic than the restore scenario,
 * so a rebuild that waits behind a slow restore (33 s measured) still ends inside it.
 */
export default {
  name: "twozone-zone-a-storage-restore-rebuild-standby",
  description: "restore zone A's storage from the zone-B copy, then rebuild zone B's standby from the restored primary; zone B must converge",
  tags: ["twozone", "recovery"],
  secrets: twozoneSecrets,
  topology: twozoneTopology({ backups: { dailyEvery: 20_000, copyEvery: 60_000 }, standbyOnTmpfs: true }),
  traffic: [
    deviceFleet({ name: "writers-a", target: { node: "proxy-a", port: 80 }, ratePerSecond: 5, devices: 5, duration: "160s" }),
    deviceFleet({ name: "writers-b", target: { node: "proxy-b", port: 80 }, ratePerSecond: 5, devices: 5, duration: "160s" }),
  ],
  faults: [
    ...restore.faults,
    // The rebuild: SIGINT (a fast shutdown), the tmpfs gone with the container's stop, started again; `for` 1 s so
    // the step's band ends when db-b is ready again (heal waits for its ready probe), which is the rebuild's length.
    { id: "rebuild-standby", kind: "restart", target: { names: ["db-b"] }, at: "110s", for: "1s" },
  ],
  readback: [twozoneReadback("writers-a", { standby: true }), twozoneReadback("writers-b", { standby: true })],
  slos: [
    ...restore.slos,
    { id: "writes-before-disaster", kind: "availability", traffic: "writers-a", window: { kind: "fault", fault: "zone-a-storage-lost", phase: "before" }, atLeastPercent: 95 },
    // The clone reads all of db-a's data directory while it serves zone A's writes.
    { id: "writes-during-rebuild", kind: "availability", traffic: "writers-a", window: { kind: "fault", fault: "rebuild-standby", phase: "during" }, atLeastPercent: 95 },
    // Zone B serves the restored history: db-b holds exactly db-a's ids of each class, neither the writes the
    // restore lost nor fewer than were written since.
    { id: "standby-converged-a", kind: "convergence", traffic: "writers-a" },
    { id: "standby-converged-b", kind: "convergence", traffic: "writers-b" },
  ],
} satisfies ScenarioInput;
