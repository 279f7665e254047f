import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { History } from "../../core/history.ts";
import { RunReport } from "../../judge/report-schema.ts";

/**
 * The figures a restore scenario is about, from saved run directories (report.json, history.json): per run the
 * promised and measured recovery point (ms, and writes lost of those acknowledged before the disaster), the recovery
 * time, how long the restore step took, which backup it restored and how long each catalogued backup took; steps
 * after the restore (a standby's rebuild) and what each convergence node held against the store read back.
 *   npx tsx test/support/print-restore-figures.ts <run dir> [<run dir> ...]
 */
export async function restoreFigures(dir: string) {
  const report = RunReport.parse(JSON.parse(await readFile(join(dir, "report.json"), "utf8")));
  const history = History.parse(JSON.parse(await readFile(join(dir, "history.json"), "utf8")));
  const rp = report.slos.find((s) => s.kind === "recovery-point");
  const rt = report.slos.find((s) => s.kind === "recovery-time");
  const step = history.faults.find((f) => f.kind === "restore");
  const disaster = history.faults.find((f) => f.kind === "storage-destroy");
  const lost = rp?.why.match(/(\d[\d,]*) of (\d[\d,]*) writes acknowledged before/);
  return {
    run: report.runId,
    verdict: report.verdict,
    recoveryPoint: rp ? { verdict: rp.verdict, promised: rp.target, measuredMs: rp.observed, lost: lost ? `${lost[1]} / ${lost[2]}` : null } : null,
    recoveryTime: rt ? { verdict: rt.verdict, measuredMs: rt.observed } : null,
    disasterAtMs: disaster?.injectedAtMs ?? null,
    restoreStepMs: step && step.healedAtMs !== null ? step.healedAtMs - step.injectedAtMs : null,
    restored: step?.backups?.find((b) => b.restored)?.label ?? null,
    backupDurationsMs: step?.backups?.map((b) => b.completedAtMs - b.startedAtMs) ?? [],
    // Every recovery-point SLO (a scenario may have one per class), with the same figures as `recoveryPoint`.
    recoveryPoints: report.slos
      .filter((s) => s.kind === "recovery-point")
      .map((s) => ({ id: s.id, verdict: s.verdict, measuredMs: s.observed, lost: s.why.match(/(\d[\d,]*) of (\d[\d,]*) writes acknowledged before/)?.slice(1, 3).join(" / ") ?? null })),
    // Steps after the restore (a standby rebuilt by a restart): from their effect to their heal (the node ready).
    laterSteps: history.faults
      .filter((f) => step !== undefined && f.kind !== "restore" && f.injectedAtMs > step.injectedAtMs)
      .map((f) => ({ id: f.id, kind: f.kind, atMs: f.injectedAtMs, tookMs: f.healedAtMs === null ? null : f.healedAtMs - f.injectedAtMs })),
    // Per class read back with convergence: ids on the store read back against each convergence node's.
    convergence: Object.entries(history.writes).flatMap(([traffic, sets]) =>
      (sets.convergence ?? []).map((r) => ({ traffic, stored: sets.stored?.length ?? null, node: r.node, count: r.count, lacking: r.lacking, extra: r.extra })),
    ),
    slos: report.slos.map((s) => `${s.id}: ${s.verdict}`),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const dir of process.argv.slice(2)) console.log(JSON.stringify(await restoreFigures(dir)));
}
