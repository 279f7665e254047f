import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "../../core/history.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

/**
 * Backups proven by restoring them, for the two systems after trackr (docs/recovery.md): the two-zone site loses
 * all of zone A's storage and is restored from the zone-B copy; the identity service loses every server's data and
 * is restored from the off-site AOF copy. Both nightly (about 4 and 3 minutes each on the 2-core machine; CI's
 * budget is spent, and trackr-restore.test.ts covers the restore path in CI).
 */
async function runScenario(file: string) {
  const run = await runHavoc(["run", file, "--seed", "5"]);
  const report = await readLatestReport(run.reportsDir);
  const history = History.parse(JSON.parse(await readFile(join(run.reportsDir, "latest", "history.json"), "utf8")));
  return { run, report, history };
}

/**
 * Ground truth from the ledger, not the SLO: the writes of `traffic` lost were all acknowledged within `promiseMs`
 * before the disaster and none after the restore; writes acknowledged before the restored copy's data began are
 * all kept; some were lost (a copy is always older than the disaster).
 */
function expectLossWithinPromise(history: History, traffic: string, disasterId: string, restoreId: string, promiseMs: number): number {
  const disaster = history.faults.find((f) => f.id === disasterId)!;
  const step = history.faults.find((f) => f.id === restoreId)!;
  const restored = step.backups?.find((b) => b.restored);
  expect(restored, JSON.stringify(step.backups)).toBeDefined();
  expect(restored!.completedAtMs).toBeLessThan(disaster.injectedAtMs);
  const sets = history.writes[traffic]!;
  const stored = new Set(sets.stored!);
  const times = sets.acknowledgedAtMs!;
  const lostAt = sets.acknowledged.flatMap((id, i) => (stored.has(id) ? [] : [times[i]!]));
  expect(lostAt.length).toBeGreaterThan(0);
  expect(Math.min(...lostAt)).toBeGreaterThanOrEqual(disaster.injectedAtMs - promiseMs);
  expect(Math.max(...lostAt)).toBeLessThanOrEqual(disaster.injectedAtMs);
  expect(sets.acknowledged.filter((id, i) => times[i]! < restored!.startedAtMs && !stored.has(id))).toEqual([]);
  return lostAt.length;
}

describe("restores of twozone and identity (integration, nightly)", () => {
  it.runIf(nightly)("twozone: zone A's primary and local backups destroyed, the zone-B copy restored within one copy interval", async () => {
    const { run, report, history } = await runScenario("scenarios/twozone/zone-a-storage-restore.ts");
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
      ["recovery-point-a", "pass"],
      ["recovery-point-b", "pass"],
      ["recovery-time", "pass"],
      ["writes-before-disaster", "pass"],
    ]);
    const [destroy, restore] = report.faults;
    // Both of zone A's disks were destroyed: the primary's and its local backups'.
    for (const node of ["db-a", "backup-a"]) expect(destroy!.notes.join(" ")).toMatch(new RegExp(`${node}: died \\d+ ms after the call \\(exit 137\\); data volume wiped`));
    // The restore came from zone B's node and named the copy it restored.
    expect(restore!.notes.join(" ")).toMatch(/backup-b exported [\d.]+ MB \(havoc-backup-export: base-\d+\)/);
    for (const traffic of ["writers-a", "writers-b"]) expectLossWithinPromise(history, traffic, "zone-a-storage-lost", "restore-from-zone-b", 70_000);
    // backup-a never came back: the copy in zone B was all there was.
    const backupA = history.containerEvents.filter((e) => e.node === "backup-a" && e.atMs >= destroy!.injectedAt);
    expect(backupA.some((e) => e.action === "start")).toBe(false);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 480_000);

  it.runIf(nightly)("identity: every server's data destroyed, all three restored from the AOF copy within one copy interval", async () => {
    const { run, report, history } = await runScenario("scenarios/identity/all-data-restore.ts");
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
      ["recovery-point", "pass"],
      ["recovery-time", "pass"],
      ["requests-before-disaster", "pass"],
    ]);
    const [destroy, restore] = report.faults;
    for (const node of ["id-1", "id-2", "id-3"]) {
      expect(destroy!.notes.join(" ")).toMatch(new RegExp(`${node}: died \\d+ ms after the call \\(exit 137\\); data volume wiped`));
      expect(restore!.notes.join(" ")).toMatch(new RegExp(`${node}: .*as appendonlydir/appendonly.aof.1.base.rdb`));
      expect(restore!.notes.join(" ")).toMatch(new RegExp(`${node}: started on the restored data, ready`));
    }
    expectLossWithinPromise(history, "clients", "all-data-lost", "restore-all", 24_000);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 420_000);
});
