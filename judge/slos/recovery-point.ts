import { z } from "zod";
import { DurationMs, formatDuration, formatSeconds } from "../../core/duration.ts";
import { formatCount } from "../../core/format.ts";
import type { History } from "../../core/history.ts";
import type { SloResult } from "../../core/verdict.ts";
import type { SloKind } from "../slo-kind.ts";
import { sloBase } from "./slo-fields.ts";
import { resolveWindow } from "./window.ts";

/**
 * The recovery point a restore kept after a disaster: the loss window, in ms, from the newest acknowledged write
 * the restored store still holds to the disaster (`fault`'s effect time), against the promise `atMost` (e.g. one
 * backup interval, or the archive timeout with continuous archiving). Every acknowledged write lost must be newer
 * than `disaster - atMost`; one that is older, or acknowledged after the disaster (by the restored store) and lost
 * again, fails the SLO by its id. Judged on the write ledger and the readback after the restore.
 */
export const RecoveryPointSlo = z
  .object({
    kind: z.literal("recovery-point"),
    ...sloBase,
    /** The disaster: the id of the fault that destroyed the data (e.g. a `storage-destroy`). */
    fault: z.string().min(1),
    /** The id of the `restore` step that brought the data back. */
    restore: z.string().min(1),
    /** The promise: at most this much of the newest acknowledged writes may be lost, e.g. "20s" (one backup interval). */
    atMost: DurationMs,
  })
  .strict();
export type RecoveryPointSloSpec = z.infer<typeof RecoveryPointSlo>;

const IDS_IN_WHY = 5;

export function checkRecoveryPoint(slo: RecoveryPointSloSpec, history: History): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `<= ${slo.atMost} ms`, unit: "ms", window: resolveWindow({ kind: "run" }, history).window };
  const unknown = (why: string): SloResult => ({ ...base, verdict: "unknown", observed: null, why });
  const disaster = history.faults.find((f) => f.id === slo.fault);
  if (!disaster) return unknown(`fault "${slo.fault}" was never injected; no recovery point to judge`);
  const step = history.faults.find((f) => f.id === slo.restore);
  if (!step) return unknown(`restore step "${slo.restore}" never ran; no recovery point to judge`);
  if (step.systemFailure) return { ...base, verdict: "fail", observed: null, why: `nothing was restored: ${step.systemFailure}` };
  const sets = history.writes[slo.traffic];
  if (!sets) return unknown(`no write ledger for ${slo.traffic}`);
  if (sets.stored === null) return unknown(`the store of ${slo.traffic} could not be read back after the restore (${sets.readback?.why ?? "no answer"})`);
  if (!sets.acknowledgedAtMs || sets.acknowledgedAtMs.length !== sets.acknowledged.length)
    return unknown(`the write ledger of ${slo.traffic} has no acknowledgement times (recorded before they were kept)`);
  const disasterMs = disaster.injectedAtMs;
  const oldestAllowedMs = disasterMs - slo.atMost;
  const stored = new Set(sets.stored);
  let newestKeptMs: number | undefined;
  let acknowledgedBefore = 0;
  let lostInWindow = 0;
  const tooOld: string[] = [];
  const after: string[] = [];
  const undated: string[] = [];
  sets.acknowledged.forEach((id, i) => {
    const at = sets.acknowledgedAtMs![i];
    if (at === null || at === undefined || !Number.isFinite(at)) {
      if (!stored.has(id)) undated.push(id);
      return;
    }
    if (at <= disasterMs) acknowledgedBefore++;
    if (stored.has(id)) {
      if (at <= disasterMs && (newestKeptMs === undefined || at > newestKeptMs)) newestKeptMs = at;
      return;
    }
    if (at > disasterMs) after.push(id);
    else if (at < oldestAllowedMs) tooOld.push(id);
    else lostInWindow++;
  });
  const restored = step.backups?.find((b) => b.restored);
  const from = restored ? `restored from ${restored.label} (taken ${formatSeconds(restored.startedAtMs)} to ${formatSeconds(restored.completedAtMs)})` : `restored by ${slo.restore}`;
  if (acknowledgedBefore === 0) return unknown(`no write of ${slo.traffic} was acknowledged before the disaster at ${formatSeconds(disasterMs)}; ${from}`);
  // No write from before the disaster kept: everything since traffic start was lost.
  const windowMs = Math.round(disasterMs - (newestKeptMs ?? 0));
  const lost = lostInWindow + tooOld.length + after.length + undated.length;
  const kept = newestKeptMs === undefined ? "no write acknowledged before it was kept" : `the newest write kept was acknowledged at ${formatSeconds(newestKeptMs)}`;
  const summary = `${from}: ${kept}, ${formatDuration(windowMs)} before the disaster (${slo.fault} at ${formatSeconds(disasterMs)}); ${formatCount(lost)} of ${formatCount(acknowledgedBefore)} writes acknowledged before it lost`;
  const sample = (ids: string[]) => `${ids.slice(0, IDS_IN_WHY).join(", ")}${ids.length > IDS_IN_WHY ? ", ..." : ""}`;
  if (tooOld.length > 0)
    return { ...base, verdict: "fail", observed: windowMs, why: `${formatCount(tooOld.length)} acknowledged writes older than the promised ${formatDuration(slo.atMost)} before the disaster are lost (${sample(tooOld)}); ${summary}` };
  if (after.length > 0)
    return { ...base, verdict: "fail", observed: windowMs, why: `${formatCount(after.length)} writes acknowledged after the disaster are lost too (${sample(after)}); ${summary}` };
  if (windowMs > slo.atMost) return { ...base, verdict: "fail", observed: windowMs, why: `loss window ${formatDuration(windowMs)} > ${formatDuration(slo.atMost)} promised; ${summary}` };
  if (undated.length > 0) return { ...base, verdict: "unknown", observed: windowMs, why: `${formatCount(undated.length)} lost writes have no acknowledgement time (${sample(undated)}); ${summary}` };
  return { ...base, verdict: "pass", observed: windowMs, why: `loss window ${formatDuration(windowMs)} <= ${formatDuration(slo.atMost)} promised; ${summary}, all within the window` };
}

export const recoveryPointKind: SloKind<RecoveryPointSloSpec> = {
  kind: "recovery-point",
  schema: RecoveryPointSlo,
  validate(slo, view, report, path) {
    if (view.faults && !view.faults.has(slo.fault)) report([...path, "fault"], view.faults.unknown(slo.fault));
    if (view.faults && !view.faults.has(slo.restore)) report([...path, "restore"], view.faults.unknown(slo.restore));
    if (view.readbacks && !view.readbacks.some((r) => r.traffic === slo.traffic)) report([...path, "traffic"], `recovery-point needs a readback for traffic "${slo.traffic}" (add one to readback)`);
    const step = view.restoreStep(slo.restore);
    if (view.faults?.has(slo.restore) && step === null) return report([...path, "restore"], `"${slo.restore}" is not a restore step (kind "restore")`);
    const backups = view.topology?.backups;
    if (!step || !backups) return;
    const index = backups.findIndex((b) => b.name === step.backup);
    const backup = backups[index];
    if (!backup) return;
    const keeps = step.point === "newest-archived" ? backup.archiveTimeout : backup.every;
    const field = step.point === "newest-archived" ? "archiveTimeout" : "every";
    if (keeps !== undefined && slo.atMost < keeps)
      report(
        [...path, "atMost"],
        `a recovery point of ${formatDuration(slo.atMost)} is shorter than backup "${backup.name}" can keep when restoring "${step.point}" (restore step "${slo.restore}"): ` +
          `topology.backups[${index}].${field} is ${formatDuration(keeps)}; promise at least that`,
      );
    const plannedDisaster = view.plannedFault(slo.fault);
    const plannedRestore = view.plannedFault(slo.restore);
    if (plannedDisaster && plannedRestore && plannedRestore.atMs < plannedDisaster.atMs)
      report([...path, "restore"], `restore step "${slo.restore}" (at ${formatDuration(plannedRestore.atMs)}) comes before the disaster "${slo.fault}" (at ${formatDuration(plannedDisaster.atMs)})`);
  },
  judge: (slo, history) => checkRecoveryPoint(slo, history),
};
