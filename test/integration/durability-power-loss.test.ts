import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "../../core/history.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

/**
 * Databases under a power cut (lazyfs data volumes, `power-loss`), each setting against the one that gives up
 * durability: trackr's PostgreSQL with fsync on and off, a Galera cluster whose every node loses power with
 * innodb_flush_log_at_trx_commit 1 and 2. Whole scenarios of 2 to 7 minutes each on this machine: nightly.
 */
async function runScenario(file: string, timeoutMs: number) {
  const run = await runHavoc(["run", file], { timeoutMs });
  const report = await readLatestReport(run.reportsDir);
  const history = History.parse(JSON.parse(await readFile(join(run.reportsDir, "latest", "history.json"), "utf8")));
  return { run, report, history };
}

/** Ids of acknowledged writes of `traffic` that the readback did not find, with their acknowledgement times. */
function lostWrites(history: History, traffic: string): { id: string; atMs: number }[] {
  const sets = history.writes[traffic]!;
  const stored = new Set(sets.stored!);
  return sets.acknowledged.flatMap((id, i) => (stored.has(id) ? [] : [{ id, atMs: sets.acknowledgedAtMs![i] ?? Number.NaN }]));
}

describe.runIf(nightly)("durability under a power cut (integration, nightly)", () => {
  it("PostgreSQL fsync=on: no acknowledged reading lost, though lazyfs dropped unfsynced bytes", async () => {
    const { run, report, history } = await runScenario("scenarios/trackr/db-power-loss-fsync-on.ts", 420_000);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(report.faults[0]!.notes.join(" ")).toMatch(/db: died \d+ ms after the call \(exit 137\); [1-9]\d* unfsynced bytes/);
    expect(lostWrites(history, "devices")).toEqual([]);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 480_000);

  it("PostgreSQL fsync=off: every reading acknowledged since the volume was last flushed is lost, silently (exit 1)", async () => {
    const { run, report, history } = await runScenario("scenarios/trackr/db-power-loss-fsync-off.ts", 420_000);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const cut = report.faults[0]!;
    const lost = lostWrites(history, "devices");
    const sets = history.writes.devices!;
    const ackedBeforeCut = sets.acknowledgedAtMs!.filter((at) => at !== null && at < cut.injectedAt).length;
    // Nothing written while serving was ever fsynced: all of it is gone (measured 406, 427, 410 lost), the database
    // started with no error, and writes after the restart were kept.
    expect(lost.length).toBeGreaterThanOrEqual(ackedBeforeCut);
    expect(ackedBeforeCut).toBeGreaterThan(100);
    expect(Math.max(...lost.map((l) => l.atMs))).toBeLessThan(cut.injectedAt + 2_000);
    expect(report.slos.find((s) => s.id === "no-acknowledged-reading-lost")!.observed).toBe(lost.length);
    expect(sets.acknowledged.length).toBeGreaterThan(lost.length);
  }, 480_000);

  it("Galera, every node cut, innodb_flush_log_at_trx_commit=1: nothing acknowledged lost, the cluster re-forms", async () => {
    const { run, report, history } = await runScenario("scenarios/galera/power-loss-flush-1.ts", 720_000);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(lostWrites(history, "devices")).toEqual([]);
  }, 780_000);

  it("Galera, every node cut, innodb_flush_log_at_trx_commit=2: the last commits before the cut are lost (exit 1)", async () => {
    const { run, report, history } = await runScenario("scenarios/galera/power-loss-flush-2.ts", 720_000);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const cut = report.faults[0]!;
    const lost = lostWrites(history, "devices");
    expect(lost.length).toBeGreaterThan(0);
    // InnoDB fsyncs the redo log about once a second: only writes of the last seconds before the cut are lost.
    expect(Math.min(...lost.map((l) => l.atMs))).toBeGreaterThan(cut.injectedAt - 5_000);
    expect(report.slos.find((s) => s.id === "no-acknowledged-reading-lost")!.verdict).toBe("fail");
  }, 780_000);
});
