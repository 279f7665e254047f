import type { ScenarioInput } from "../../api/index.ts";
import { identityBackupName, identityReadback, identitySecrets, identityServerList, identityServers, identityTopology } from "../../systems/identity/topology.ts";
import { identityClients } from "../../systems/identity/traffic.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

// As all-data-restore.ts.
const restore = backupRestoreSteps({
  disaster: { id: "all-data-lost", nodes: identityServers, at: "35s" },
  restore: { id: "restore-all", at: "40s", backup: identityBackupName, point: "last-backup" },
  recoveryPoint: { traffic: "clients", atMost: "24s" },
  recoveryTime: { traffic: "clients", atMost: "60s", stableFor: "5s" },
});

/**
 * Control: the off-site copy fails silently. all-data-restore.ts with one change: the backup node's disk is filled
 * at 3 s, so every `redis-cli --rdb` copy after the first (taken before traffic began) fails with "No space left on
 * device", logged on the backup node and told to nobody. At 35 s every server's data is destroyed, at 40 s all three
 * are restored from the newest copy there is: the one from before traffic (the export writes nothing on the full
 * disk). recovery-point (promise as in all-data-restore.ts, 24 s) must FAIL, naming acknowledged writes older than
 * the promise that are gone.
 */
export default {
  name: "identity-backup-disk-full-control",
  description: "control: the backup node's disk fills up silently, so the restore after every server's data is lost loses more than one copy interval",
  tags: ["identity", "recovery", "control"],
  expect: "fail",
  expectFailing: ["recovery-point"],
  secrets: identitySecrets,
  topology: identityTopology({ backup: { every: 20_000 } }),
  traffic: [identityClients({ name: "clients", servers: identityServerList(), ratePerSecond: 20, clients: 40, spread: true, duration: "90s", keySecret: "client-passwords" })],
  faults: [{ id: "backup-disk-full", kind: "disk-fill", target: { names: ["backup"] }, at: "3s" }, ...restore.faults],
  readback: [identityReadback("clients")],
  slos: restore.slos,
} satisfies ScenarioInput;
