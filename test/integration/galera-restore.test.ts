import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "../../core/history.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

/**
 * The galera cluster restored from its off-site mariabackups (systems/galera/README.md, "Backups"): every node's
 * storage destroyed at once and all three restored from the newest backup; and the control whose backups fail
 * silently on a full backup disk. Both nightly (about 2 minutes each on the 2-core machine); CI's restore path is
 * trackr-restore.test.ts's.
 */
const nodes = ["galera-1", "galera-2", "galera-3"];
const promiseMs = 25_000;

async function runScenario(file: string) {
  const run = await runHavoc(["run", file, "--seed", "5"]);
  const report = await readLatestReport(run.reportsDir);
  const history = History.parse(JSON.parse(await readFile(join(run.reportsDir, "latest", "history.json"), "utf8")));
  return { run, report, history };
}

describe("galera: every node's storage destroyed, the cluster restored from mariabackup (integration, nightly)", () => {
  it.runIf(nightly)("restores all three nodes from the newest backup, losing only writes within one interval plus a backup's duration", async () => {
    const { run, report, history } = await runScenario("scenarios/galera/all-nodes-restore.ts");
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
      ["recovery-point", "pass"],
      ["recovery-time", "pass"],
      ["writes-before-disaster", "pass"],
      ["every-node-converged", "pass"],
    ]);
    const [destroy, restore] = report.faults;
    const restoreNotes = restore!.notes.join(" ");
    for (const node of nodes) {
      // The disk really was destroyed, and the restore wrote the prepared backup onto it and started the node on it.
      expect(destroy!.notes.join(" ")).toMatch(new RegExp(`${node}: died \\d+ ms after the call \\(exit 137\\); data volume wiped \\(\\d+ entries deleted, empty\\)`));
      expect(restoreNotes).toMatch(new RegExp(`${node}: .*exported [\\d.]+ MB \\(galera-backup-export: mariabackup-\\d+ \\(prepared, Galera position [0-9a-f-]+:\\d+`));
      expect(restoreNotes).toMatch(new RegExp(`${node}: started on the restored data, ready`));
    }
    // Ground truth from the ledger, not the SLO: the restored backup completed before the disaster; every write lost
    // was acknowledged within the promise before it, none after; none acknowledged before the backup began is lost.
    const disaster = history.faults.find((f) => f.id === "all-storage-lost")!;
    const step = history.faults.find((f) => f.id === "restore-cluster")!;
    const restored = step.backups?.find((b) => b.restored);
    expect(restored, JSON.stringify(step.backups)).toBeDefined();
    expect(restored!.completedAtMs).toBeLessThan(disaster.injectedAtMs);
    const sets = history.writes.devices!;
    const stored = new Set(sets.stored!);
    const times = sets.acknowledgedAtMs!;
    const lostAt = sets.acknowledged.flatMap((id, i) => (stored.has(id) ? [] : [times[i]!]));
    expect(lostAt.length).toBeGreaterThan(0);
    expect(Math.min(...lostAt)).toBeGreaterThanOrEqual(disaster.injectedAtMs - promiseMs);
    expect(Math.max(...lostAt)).toBeLessThanOrEqual(disaster.injectedAtMs);
    expect(sets.acknowledged.filter((id, i) => times[i]! < restored!.startedAtMs && !stored.has(id))).toEqual([]);
    const rp = report.slos.find((s) => s.id === "recovery-point")!;
    expect(rp.observed).toBeGreaterThan(0);
    expect(rp.observed).toBeLessThanOrEqual(promiseMs);
    expect(rp.why).toContain(`${lostAt.length} of`);
    expect(rp.why).toContain(`restored from ${restored!.label}`);
    // galera-1 bootstrapped the restored cluster; the others joined it at the backup's position (no full copy).
    const log = (node: string) => readFile(join(run.reportsDir, "latest", "logs", `${node}.log`), "utf8");
    expect(await log("galera-1")).toContain("restored from a backup and BOOTSTRAP=1: creating a new cluster from it");
    for (const node of ["galera-2", "galera-3"]) expect(await log(node)).toMatch(/data directory restored from backup mariabackup-\d+[\s\S]*joining: seqno: +-1/);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 420_000);

  it.runIf(nightly)("control: backups failing silently on a full backup disk make recovery-point FAIL with old writes named", async () => {
    const { run, report } = await runScenario("scenarios/galera/backup-disk-full-control.ts");
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const rp = report.slos.find((s) => s.id === "recovery-point")!;
    expect(rp.verdict).toBe("fail");
    expect(rp.observed).toBeGreaterThan(promiseMs);
    expect(rp.why).toMatch(/acknowledged writes older than the promised 25s before the disaster are lost \(\S+-devices-\d+/);
    // The backups did fail on the full disk, and said so only in the backup node's log.
    expect(await readFile(join(run.reportsDir, "latest", "logs", "backup.log"), "utf8")).toMatch(/galera-backup: mariabackup-\d+ FAILED: .*No space left on device/);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 420_000);
});
