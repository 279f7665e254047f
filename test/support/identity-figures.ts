import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { History } from "../../core/history.ts";
import { LedgerLine } from "../../load/write-ledger.ts";
import { RunReport } from "../../judge/report-schema.ts";

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
  /** Writes whose every attempt failed definitely (the system said no to each server tried). */
  failed: number;
  /** Attempts by cause in the seconds wholly inside the fault (from its effect to its heal). */
  causesDuringFault: Record<string, number>;
}

export interface IdentityFigures {
  runId: string;
  scenario: string;
  verdict: string;
  slos: Record<string, { verdict: string; observed: number | null; why: string }>;
  /** The fault's inject call, effect and heal times, ms from traffic start (calledAtMs: injectedAtMs when not recorded). */
  fault: { id: string; kind: string; targets: string[]; calledAtMs: number; injectedAtMs: number; healedAtMs: number | null; notes: string[] } | null;
  /** Observed by the first recovery-time SLO, ms; null when it could not be judged. */
  failoverMs: number | null;
  byTraffic: Record<string, ClassFigures>;
  /** Nodes whose ids differed from the primary's after the tail (convergence reads of every class). */
  divergedNodes: string[];
  /** What the Sentinels logged (logs/<node>.log), times in ms from traffic start. */
  sentinel: SentinelEvents;
}

export interface SentinelEvents {
  /** First `+switch-master` any Sentinel logged after the fault's inject call: the failover's end, and to where. */
  switchMasterAtMs: number | null;
  newPrimary: string | null;
  /** Sentinel failover time: switchMasterAtMs minus the fault's effect time. */
  failoverMs: number | null;
  /** Elections that found no leader (`-failover-abort-not-elected`), counted once per epoch. */
  splitVotes: number;
  /** When a Sentinel first turned the old primary into a replica (`+convert-to-slave`), after the fault. */
  convertToReplicaAtMs: number | null;
}

/** A node log line: Docker's RFC 3339 timestamp, then the process's own line. */
const LOG_LINE = /^(\d{4}-\d\d-\d\dT[\d:.]+Z) (.*)$/;

/** Sentinel events from the run's node logs, relative to the traffic start. */
export function sentinelEvents(logs: readonly string[], trafficStartEpochMs: number, fault: { calledAtMs: number; injectedAtMs: number } | null): SentinelEvents {
  const fromMs = fault?.calledAtMs ?? 0;
  let switchMasterAtMs: number | null = null;
  let newPrimary: string | null = null;
  let convertToReplicaAtMs: number | null = null;
  const abortedEpochs = new Set<string>();
  for (const log of logs) {
    let epoch = "?";
    for (const raw of log.split("\n")) {
      const m = LOG_LINE.exec(raw);
      if (!m) continue;
      const atMs = Date.parse(m[1]!) - trafficStartEpochMs;
      const text = m[2]!;
      const newEpoch = / \+new-epoch (\d+)/.exec(text);
      if (newEpoch) epoch = newEpoch[1]!;
      if (atMs < fromMs) continue;
      const sw = / \+switch-master \S+ \S+ \d+ (\S+) \d+/.exec(text);
      if (sw && (switchMasterAtMs === null || atMs < switchMasterAtMs)) {
        switchMasterAtMs = atMs;
        newPrimary = sw[1]!;
      }
      if (/ -failover-abort-not-elected /.test(text)) abortedEpochs.add(epoch);
      if (/ \+convert-to-slave /.test(text) && (convertToReplicaAtMs === null || atMs < convertToReplicaAtMs)) convertToReplicaAtMs = atMs;
    }
  }
  return {
    switchMasterAtMs,
    newPrimary,
    failoverMs: switchMasterAtMs !== null && fault ? switchMasterAtMs - fault.injectedAtMs : null,
    splitVotes: abortedEpochs.size,
    convertToReplicaAtMs,
  };
}

export async function readIdentityFigures(runDir: string): Promise<IdentityFigures> {
  const report = RunReport.parse(JSON.parse(await readFile(join(runDir, "report.json"), "utf8")));
  const history = History.parse(JSON.parse(await readFile(join(runDir, "history.json"), "utf8")));
  const ledger = (await readFile(join(runDir, "ledger.ndjson"), "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => LedgerLine.parse(JSON.parse(line)));
  const logDir = join(runDir, "logs");
  const logs = await Promise.all((await readdir(logDir).catch(() => [])).filter((f) => f.endsWith(".log")).map((f) => readFile(join(logDir, f), "utf8")));
  return identityFigures(report, history, ledger, logs);
}

function causesInside(buckets: History["timeline"], fault: History["faults"][number] | null): Record<string, number> {
  const causes: Record<string, number> = {};
  if (!fault || fault.healedAtMs === null) return causes;
  const from = Math.ceil(fault.injectedAtMs / 1000);
  const to = Math.floor(fault.healedAtMs / 1000);
  for (const b of buckets) {
    if (b.second < from || b.second >= to) continue;
    for (const [cause, n] of Object.entries(b.causes)) causes[cause] = (causes[cause] ?? 0) + n;
  }
  return causes;
}

export function identityFigures(report: RunReport, history: History, ledger: readonly LedgerLine[], logs: readonly string[] = []): IdentityFigures {
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
      failed: sets.failed.length,
      causesDuringFault: causesInside(buckets, fault),
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
    fault: fault && {
      id: fault.id,
      kind: fault.kind,
      targets: fault.targets,
      calledAtMs: fault.calledAtMs ?? fault.injectedAtMs,
      injectedAtMs: fault.injectedAtMs,
      healedAtMs: fault.healedAtMs,
      notes: fault.notes,
    },
    failoverMs: recovery && recovery.verdict !== "unknown" ? recovery.observed : null,
    byTraffic,
    divergedNodes,
    sentinel: sentinelEvents(logs, history.trafficStartEpochMs, fault && { calledAtMs: fault.calledAtMs ?? fault.injectedAtMs, injectedAtMs: fault.injectedAtMs }),
  };
}
