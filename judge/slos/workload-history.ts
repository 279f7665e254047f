import { access } from "node:fs/promises";
import { join } from "node:path";
import { readWorkloadHistory, type WorkloadHistory } from "../checkers/read-history.ts";

/** The history file of a workload class, relative to the run directory. */
export const historyFileOf = (traffic: string) => `history-${traffic}.ndjson`;

/**
 * The recorded history of a workload class, or why there is none (no run directory, no file): what every
 * history-checking SLO (consistency, linearizable, bank) reads first. A missing history is unknown, never a pass.
 */
export async function readClassHistory(traffic: string, runDir: string | undefined): Promise<{ history: WorkloadHistory; path: string } | { missing: string }> {
  if (runDir === undefined) return { missing: `no run directory, so ${traffic}'s history cannot be read` };
  const path = join(runDir, historyFileOf(traffic));
  try {
    await access(path);
  } catch {
    return { missing: `${traffic} recorded no history (${historyFileOf(traffic)} is missing)` };
  }
  return { history: await readWorkloadHistory(path), path };
}

/** The validate() message when an SLO names a class that is not the workload it checks. */
export function workloadMismatch(sloKind: string, workload: string, traffic: string, found: { script?: string; workload?: string } | undefined): string | undefined {
  if (found === undefined) return undefined; // an unknown class is reported by the common checks
  if (found.script !== undefined && found.script !== "workload") return `${sloKind} needs a workload class (script: "workload", workload: "${workload}"); "${traffic}" is a ${found.script} class`;
  if (found.workload !== undefined && found.workload !== workload) return `${sloKind} checks ${workload} histories; "${traffic}" is a ${found.workload} workload`;
  return undefined;
}
