import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { History } from "../../core/history.ts";
import { LedgerLine } from "../../load/write-ledger.ts";
import { RunReport } from "../../reports/report-schema.ts";

/**
 * The figures the identity scenarios are about, from one saved run directory (report.json, history.json,
 * ledger.ndjson): per class acknowledged / lost / unknown, which server acknowledged each lost write and when,
 * stale reads, diverged nodes, and the failover time the recovery-time SLO observed. Used by the integration test
 * and by bench/identity-figures.ts.
 */
export interface ClassFigures {
  acknowledged: number;
  lost: number;
  unknown: number;
  recovered: number;
  /** Lost writes by the server whose app acknowledged them. */
  lostByNode: Record<string, number>;
  /** First and last acknowledgement time of a lost write, ms from traffic start; null when none was lost. */
  lostBetweenMs: [number, number] | null;
  /** Writes acknowledged by each server while the fault was active (from its injection to its heal). */
  acknowledgedDuringFaultByNode: Record<string, number>;
  staleReads: number;
  freshnessChecks: number;
}

export interface IdentityFigures {
  runId: string;
  scenario: string;
  verdict: string;
  slos: Record<string, { verdict: string; observed: number | null; why: string }>;
  /** The fault's effect and heal times, ms from traffic start. */
  fault: { id: string; kind: string; targets: string[]; injectedAtMs: number; healedAtMs: number | null; notes: string[] } | null;
  /** Observed by the first recovery-time SLO, ms; null when it could not be judged. */
  failoverMs: number | null;
  byTraffic: Record<string, ClassFigures>;
  /** Nodes whose ids differed from the primary's after the tail (convergence reads of every class). */
  divergedNodes: string[];
}

export async function readIdentityFigures(runDir: string): Promise<IdentityFigures> {
  const report = RunReport.parse(JSON.parse(await readFile(join(runDir, "report.json"), "utf8")));
  const history = History.parse(JSON.parse(await readFile(join(runDir, "history.json"), "utf8")));
  const ledger = (await readFile(join(runDir, "ledger.ndjson"), "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => LedgerLine.parse(JSON.parse(line)));
  return identityFigures(report, history, ledger);
}

export function identityFigures(report: RunReport, history: History, ledger: readonly LedgerLine[]): IdentityFigures {
  const fault = history.faults[0] ?? null;
  const byTraffic: Record<string, ClassFigures> = {};
  for (const [traffic, sets] of Object.entries(history.writes)) {
    const stored = new Set(sets.stored ?? []);
    const lostIds = new Set(sets.stored === null ? [] : sets.acknowledged.filter((id) => !stored.has(id)));
    const lostByNode: Record<string, number> = {};
    const acknowledgedDuringFaultByNode: Record<string, number> = {};
    let first = Infinity;
    let last = -Infinity;
    const counted = new Set<string>();
    for (const line of ledger) {
      if (line.traffic !== traffic || line.outcome !== "ok") continue;
      const node = line.node ?? "?";
      if (fault && line.atMs >= fault.injectedAtMs && (fault.healedAtMs === null || line.atMs < fault.healedAtMs))
        acknowledgedDuringFaultByNode[node] = (acknowledgedDuringFaultByNode[node] ?? 0) + 1;
      // The first acknowledgement of a lost id is the one that counts (a retry may be acknowledged again).
      if (!lostIds.has(line.id) || counted.has(line.id)) continue;
      counted.add(line.id);
      lostByNode[node] = (lostByNode[node] ?? 0) + 1;
      first = Math.min(first, line.atMs);
      last = Math.max(last, line.atMs);
    }
    const counts = report.dataLoss.byTraffic[traffic];
    const buckets = history.timeline.filter((b) => b.traffic === traffic);
    byTraffic[traffic] = {
      acknowledged: sets.acknowledged.length,
      lost: lostIds.size,
      unknown: sets.unknown.length,
      recovered: counts?.recovered ?? 0,
      lostByNode,
      lostBetweenMs: lostIds.size > 0 ? [first, last] : null,
      acknowledgedDuringFaultByNode,
      staleReads: buckets.reduce((n, b) => n + b.staleReads, 0),
      freshnessChecks: buckets.reduce((n, b) => n + b.freshnessChecks, 0),
    };
  }
  const divergedNodes = [
    ...new Set(Object.values(history.writes).flatMap((sets) => (sets.convergence ?? []).filter((r) => r.outcome !== "unreachable" && r.lacking + r.extra > 0).map((r) => r.node))),
  ];
  const recovery = report.slos.find((s) => s.kind === "recovery-time");
  return {
    runId: report.runId,
    scenario: report.scenario,
    verdict: report.verdict,
    slos: Object.fromEntries(report.slos.map((s) => [s.id, { verdict: s.verdict, observed: s.observed, why: s.why }])),
    fault: fault && { id: fault.id, kind: fault.kind, targets: fault.targets, injectedAtMs: fault.injectedAtMs, healedAtMs: fault.healedAtMs, notes: fault.notes },
    failoverMs: recovery && recovery.verdict !== "unknown" ? recovery.observed : null,
    byTraffic,
    divergedNodes,
  };
}
