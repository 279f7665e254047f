import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "../../core/history.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

/**
 * Backups proven by restoring them: trackr's database disk destroyed under device traffic and a fresh database
 * restored from the off-site backup node. CI runs the short base-backup restore (test/fixtures/trackr-restore-brief.ts);
 * the nightly run adds the full scenarios: base backup, base backup + WAL, the control whose backups fail silently,
 * and a restore step with nothing to restore (test/fixtures/trackr-restore-nothing.ts).
 */
describe("trackr: database disk destroyed and restored from backup (integration)", () => {
  it("restores the last base backup: the disk really was wiped, every lost write is within the promise", async () => {
    const run = await runHavoc(["run", "test/fixtures/trackr-restore-brief.ts", "--seed", "3"]);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    const report = await readLatestReport(run.reportsDir);
    expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
      ["recovery-point", "pass"],
      ["recovery-time", "pass"],
      ["writes-before-disaster", "pass"],
    ]);
    const [destroy, restore] = report.faults;
    // The disk was destroyed: the node died by SIGKILL and its data volume was emptied.
    expect(destroy!.notes.join(" ")).toMatch(/exit 137\); data volume wiped \(\d+ entries deleted, empty\)/);
    // The restore ran after it, named the backup it restored, and its node answered its ready probe.
    expect(restore!.injectedAt).toBeGreaterThan(destroy!.injectedAt);
    expect(restore!.notes.join(" ")).toMatch(/started on the restored data, ready/);
    const history = History.parse(JSON.parse(await readFile(join(run.reportsDir, "latest", "history.json"), "utf8")));
    const step = history.faults.find((f) => f.id === "restore-db")!;
    const restored = step.backups?.find((b) => b.restored);
    expect(restored, JSON.stringify(step.backups)).toBeDefined();
    expect(restored!.completedAtMs).toBeLessThan(destroy!.injectedAt);
    // Ground truth from the ledger, not from the SLO: writes acknowledged before the restored backup began are all
    // kept; writes lost were all acknowledged within the promise (20 s) of the disaster; some were lost (the backup
    // is older than the disaster), none acknowledged after the restore.
    const sets = history.writes.devices!;
    const stored = new Set(sets.stored!);
    const times = sets.acknowledgedAtMs!;
    const lostAt = sets.acknowledged.flatMap((id, i) => (stored.has(id) ? [] : [times[i]!]));
    expect(lostAt.length).toBeGreaterThan(0);
    expect(Math.min(...lostAt)).toBeGreaterThanOrEqual(destroy!.injectedAt - 20_000);
    expect(Math.max(...lostAt)).toBeLessThanOrEqual(destroy!.injectedAt);
    expect(sets.acknowledged.filter((id, i) => times[i]! < restored!.startedAtMs && !stored.has(id))).toEqual([]);
    const rp = report.slos.find((s) => s.id === "recovery-point")!;
    expect(rp.observed).toBeGreaterThan(0);
    expect(rp.observed).toBeLessThanOrEqual(20_000);
    expect(rp.why).toContain(`${lostAt.length} of`);
    // The database container died at the disaster and started again only in the restore step.
    const db = history.containerEvents.filter((e) => e.node === "db" && e.atMs >= 0);
    expect(db.filter((e) => e.action === "die").map((e) => e.exitCode)).toContain(137);
    expect(db.some((e) => e.action === "start" && e.atMs >= restore!.injectedAt)).toBe(true);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 240_000);

  it.runIf(nightly)("restores base backup + WAL with no acknowledged write older than the archive timeout lost", async () => {
    const run = await runHavoc(["run", "scenarios/trackr/db-disk-restore-pitr.ts"]);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    const report = await readLatestReport(run.reportsDir);
    const rp = report.slos.find((s) => s.id === "recovery-point")!;
    expect(rp.verdict, rp.why).toBe("pass");
    expect(rp.observed).toBeLessThanOrEqual(5_000);
    expect(report.faults[1]!.notes.join(" ")).toMatch(/WAL segment\(s\) up to/);
  }, 300_000);

  it.runIf(nightly)("restores the last base backup of the full scenario within one backup interval", async () => {
    const run = await runHavoc(["run", "scenarios/trackr/db-disk-restore-base.ts"]);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    const report = await readLatestReport(run.reportsDir);
    expect(report.slos.find((s) => s.id === "recovery-point")!.observed).toBeLessThanOrEqual(30_000);
  }, 300_000);

  it.runIf(nightly)("a restore step with nothing to restore is the system's failure: a failed row naming why, the run valid (exit 1)", async () => {
    const run = await runHavoc(["run", "test/fixtures/trackr-restore-nothing.ts", "--seed", "3"]);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const report = await readLatestReport(run.reportsDir);
    const row = report.slos.find((s) => s.id === "restore-db-node-ready")!;
    expect(row.verdict).toBe("fail");
    expect(row.why).toContain("no completed base backup in /backups");
    expect(report.slos.find((s) => s.id === "recovery-point")!.why).toMatch(/^nothing was restored: /);
    expect(report.faults.find((f) => f.id === "restore-db")!.notes.join(" ")).toMatch(/completed backup\(s\) listed/);
  }, 300_000);

  it.runIf(nightly)("control: backups failing silently on a full backup disk make recovery-point FAIL with old writes named", async () => {
    const run = await runHavoc(["run", "scenarios/trackr/backup-disk-full-control.ts"]);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const report = await readLatestReport(run.reportsDir);
    const rp = report.slos.find((s) => s.id === "recovery-point")!;
    expect(rp.verdict).toBe("fail");
    expect(rp.observed).toBeGreaterThan(30_000);
    expect(rp.why).toMatch(/acknowledged writes older than the promised 30s before the disaster are lost \(\S+-devices-\d+/);
  }, 300_000);
});
