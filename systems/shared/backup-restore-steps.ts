import { parseDuration, type DurationInput, type FaultSpecInput, type SloSpecInput } from "../../api/index.ts";

/**
 * The block every restore scenario of the reference systems shares (docs/recovery.md): a disaster that destroys the
 * storage of some nodes, a restore step that brings a backup back onto them, and the two SLOs that judge it:
 * `recovery-point` (per traffic class: what was lost against the promise) and `recovery-time` (disaster to writes
 * working again). The scenario keeps what differs: its topology, traffic, the claim in its doc comment, other SLOs
 * and, for a control, the fault that breaks the backups.
 */
export interface BackupRestoreStepsOptions {
  /** The disaster: a `storage-destroy` of `nodes` at `at` (ms from traffic start); its band ends when the restore starts. */
  disaster: { id: string; nodes: readonly string[]; at: DurationInput };
  /** The `restore` step at `at` from backup `backup` (a `topology.backups[].name`); `nodes` default to the disaster's. */
  restore: { id: string; nodes?: readonly string[]; at: DurationInput; backup: string; point: "last-backup" | "newest-archived" };
  /**
   * The promise: at most `atMost` of the newest acknowledged writes lost. `traffic`: one class (SLO id
   * "recovery-point") or SLO id to class, one `recovery-point` each.
   */
  recoveryPoint: { atMost: DurationInput; traffic: string | Readonly<Record<string, string>> };
  /** From the disaster's injection to writes of `traffic` working for `stableFor`: at most `atMost` (SLO id "recovery-time"). */
  recoveryTime: { traffic: string; atMost: DurationInput; stableFor: DurationInput };
}

/** The faults (disaster, then restore) and SLOs (recovery-point ones, then recovery-time) of a restore scenario. */
export function backupRestoreSteps(opts: BackupRestoreStepsOptions): { faults: FaultSpecInput[]; slos: SloSpecInput[] } {
  const { disaster, restore, recoveryPoint, recoveryTime } = opts;
  const disasterMs = parseDuration(disaster.at);
  const restoreMs = parseDuration(restore.at);
  if (restoreMs <= disasterMs) throw new RangeError(`backupRestoreSteps: restore.at (${restore.at}) must come after disaster.at (${disaster.at})`);
  const classes = typeof recoveryPoint.traffic === "string" ? { "recovery-point": recoveryPoint.traffic } : recoveryPoint.traffic;
  return {
    faults: [
      // `for`: the disaster's band on the timeline ends where the restore's begins (heal undoes nothing).
      { id: disaster.id, kind: "storage-destroy", target: { names: [...disaster.nodes] }, at: disaster.at, for: `${restoreMs - disasterMs}ms` },
      { id: restore.id, kind: "restore", target: { names: [...(restore.nodes ?? disaster.nodes)] }, at: restore.at, backup: restore.backup, point: restore.point },
    ],
    slos: [
      ...Object.entries(classes).map(
        ([id, traffic]): SloSpecInput => ({ id, kind: "recovery-point", traffic, fault: disaster.id, restore: restore.id, atMost: recoveryPoint.atMost }),
      ),
      { id: "recovery-time", kind: "recovery-time", traffic: recoveryTime.traffic, fault: disaster.id, from: "inject", atMost: recoveryTime.atMost, stableFor: recoveryTime.stableFor },
    ],
  };
}
