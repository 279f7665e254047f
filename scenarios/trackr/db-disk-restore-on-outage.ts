import type { ScenarioInput } from "../../api/index.ts";
import { trackrBackupName, trackrReadback, trackrSecrets, trackrTopology } from "../../systems/trackr/topology.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/**
 * db-disk-restore-base.ts with the restore started as an operator would start it: not at a fixed time but once the
 * devices' writes have all failed for 10 s (`when`, judged on the same seconds as a safety stop), and not before
 * 40 s. The database's disk is destroyed at 35 s; the app answers 503 within the second, so the condition can hold
 * from about 46 s (seconds 36 to 45) and the restore starts then. A condition that never held by 70 s (at 40 s +
 * within 30 s) would be the system's failure: a failed row `restore-db-when`. Same promise as the base scenario: at
 * most 30 s of acknowledged readings lost, none older. The recovery time is longer by the operator's 10 s of
 * noticing, hence 45 s and 90 s of traffic (the restore takes 12 to 17 s on the loaded 2-core machine).
 */
export default {
  name: "trackr-db-disk-restore-on-outage",
  description: "destroy the database disk under device traffic; restore from the last base backup once device writes have failed for 10 s (promise: one backup interval)",
  tags: ["trackr", "recovery"],
  secrets: trackrSecrets,
  topology: trackrTopology({ backup: { every: 20_000 } }),
  traffic: [deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 30, duration: "90s", devices: 30 })],
  faults: [
    { id: "destroy-db", kind: "storage-destroy", target: { names: ["db"] }, at: "35s", for: "5s" },
    {
      id: "restore-db",
      kind: "restore",
      target: { names: ["db"] },
      at: "40s",
      when: { traffic: "devices", errorPercentAtLeast: 100, for: "10s", within: "30s" },
      backup: trackrBackupName,
      point: "last-backup",
    },
  ],
  readback: [trackrReadback("devices")],
  slos: [
    { id: "recovery-point", kind: "recovery-point", traffic: "devices", fault: "destroy-db", restore: "restore-db", atMost: "30s" },
    // From the disaster to writes working again: ~11 s until the condition holds, the restore (6 to 18 s measured),
    // the apps reconnecting.
    { id: "recovery-time", kind: "recovery-time", traffic: "devices", fault: "destroy-db", from: "inject", atMost: "45s", stableFor: "5s" },
    { id: "writes-before-disaster", kind: "availability", traffic: "devices", window: { kind: "fault", fault: "destroy-db", phase: "before" }, atLeastPercent: 99 },
  ],
} satisfies ScenarioInput;
