import type { ScenarioInput } from "../../api/index.ts";
import { identityBackupName, identityReadback, identitySecrets, identityServerList, identityServers, identityTopology } from "../../systems/identity/topology.ts";
import { identityClients } from "../../systems/identity/traffic.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

const restore = backupRestoreSteps({
  disaster: { id: "all-data-lost", nodes: identityServers, at: "35s" },
  restore: { id: "restore-all", at: "40s", backup: identityBackupName, point: "last-backup" },
  recoveryPoint: { traffic: "clients", atMost: "24s" },
  // From the disaster to requests working again: 5 s before the restore, the copy onto three disks, Redis loading
  // it, Sentinels agreeing and the apps reconnecting (the restore step took 12 to 46 s on the shared 2-core machine
  // at load averages of 35 to 80).
  recoveryTime: { traffic: "clients", atMost: "60s", stableFor: "5s" },
});

/**
 * The identity design's persistence claim: the AOF "writes all data to a file that can be used to restore a failed
 * node". Here every server fails at once: at 35 s the data disks of id-1, id-2 and id-3 are destroyed (each server
 * SIGKILLed, every file under /data deleted), so no replica is left to copy from and only the off-site copy remains.
 * At 40 s all three are restored from the newest copy the backup node took (one every 20 s, standing for daily:
 * the primary's data set over the replication protocol, written back as each server's AOF directory) and started
 * together. Promise: at most 24 s of acknowledged writes lost, and none older: one copy interval plus the time a copy
 * takes to land (0.3 to 3.4 s measured on the loaded machine; a disaster while a copy is under way leaves the one
 * before, whose data is as of when it began).
 */
export default {
  name: "identity-all-data-restore",
  description: "destroy every identity server's data and restore all three from the off-site AOF copy (promise: one copy interval)",
  tags: ["identity", "recovery"],
  secrets: identitySecrets,
  topology: identityTopology({ backup: { every: 20_000 } }),
  traffic: [identityClients({ name: "clients", servers: identityServerList(), ratePerSecond: 20, clients: 40, spread: true, duration: "90s", keySecret: "client-passwords" })],
  faults: restore.faults,
  readback: [identityReadback("clients")],
  slos: [
    ...restore.slos,
    { id: "requests-before-disaster", kind: "availability", traffic: "clients", window: { kind: "fault", fault: "all-data-lost", phase: "before" }, atLeastPercent: 99 },
  ],
} satisfies ScenarioInput;
