import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "../../core/history.ts";
import { nightly } from "../support/nightly.ts";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

/**
 * A restore started as an operator starts it: once device writes have failed for 10 s (`when`), not at a fixed time.
 * Nightly only (each run is ~2 min of containers); the trigger's logic is unit-tested on recorded buckets
 * (test/unit/restore-when.test.ts). Ground truth is the run's own timeline, not the trigger's word for it.
 */
describe.runIf(nightly)("trackr: restore on the outage condition (integration)", () => {
  it("restores once writes have failed for 10 s, not before the condition could hold, and keeps the recovery point", async () => {
    const run = await runHavoc(["run", "scenarios/trackr/db-disk-restore-on-outage.ts"]);
    expect([0, 1], run.stderr.slice(-3000)).toContain(run.exitCode);
    const report = await readLatestReport(run.reportsDir);
    const rp = report.slos.find((s) => s.id === "recovery-point")!;
    expect(rp.verdict, rp.why).toBe("pass");
    const destroy = report.faults.find((f) => f.id === "destroy-db")!;
    const restore = report.faults.find((f) => f.id === "restore-db")!;
    const history = History.parse(JSON.parse(await readFile(join(run.reportsDir, "latest", "history.json"), "utf8")));
    const trigger = history.faults.find((f) => f.id === "restore-db")!.trigger!;
    expect(trigger.heldAtMs).not.toBeNull();
    const [, from, to] = /\(seconds (\d+) to (\d+)\)/.exec(trigger.held ?? "")!.map(Number);
    // The seconds the trigger named really were 100 % errors in the timeline (late buckets of a second summed).
    const perSecond = new Map<number, { requests: number; errors: number }>();
    for (const b of history.timeline.filter((t) => t.traffic === "devices")) {
      const s = perSecond.get(b.second) ?? { requests: 0, errors: 0 };
      perSecond.set(b.second, { requests: s.requests + b.requests, errors: s.errors + b.fail + b.unknown });
    }
    const failedWholly = (second: number) => {
      const s = perSecond.get(second);
      return s !== undefined && s.requests > 0 && s.errors === s.requests;
    };
    expect(to! - from! + 1).toBe(10);
    for (let s = from!; s <= to!; s++) expect(failedWholly(s), `second ${s}`).toBe(true);
    // It fired on the first span that held, and no span of 10 wholly failed seconds ended before the disaster.
    const spanEndsAt = (end: number) => Array.from({ length: 10 }, (_, i) => end - i).every(failedWholly);
    const firstEnd = [...perSecond.keys()].sort((a, b) => a - b).find(spanEndsAt);
    expect(firstEnd).toBe(to);
    expect((to! + 1) * 1000).toBeGreaterThan(destroy.injectedAt);
    // Not before the condition could hold: after the span's last second ended, and after `at` (40 s).
    expect(restore.calledAt!).toBeGreaterThanOrEqual((to! + 1) * 1000);
    expect(restore.calledAt!).toBeGreaterThanOrEqual(40_000);
    expect(restore.calledAt!).toBeGreaterThanOrEqual(trigger.heldAtMs!);
    expect(restore.notes[0]).toMatch(/^when: devices errors >= 100% for 10 s \(seconds \d+ to \d+\) held at [\d.]+ s/);
    expect(restore.notes.join(" ")).toMatch(/started on the restored data, ready/);
    // The database started again only in the restore step.
    const starts = history.containerEvents.filter((e) => e.node === "db" && e.action === "start" && e.atMs > destroy.injectedAt);
    expect(starts.length).toBeGreaterThan(0);
    expect(Math.min(...starts.map((e) => e.atMs))).toBeGreaterThanOrEqual(restore.calledAt!);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 300_000);

  it("a condition that never holds ends the step at its deadline as the system's failure: a failed row, no restore, the run valid", async () => {
    const run = await runHavoc(["run", "test/fixtures/trackr-restore-when-never.ts", "--seed", "3"]);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const report = await readLatestReport(run.reportsDir);
    expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
      ["writes", "pass"],
      ["restore-db-when", "fail"],
    ]);
    expect(report.slos[1]!.why).toMatch(/^restore-db did not run: its condition \(devices errors >= 50% for 5 s\) never held from 15\.0 s to 25\.0 s \(within 10s\); last seen: devices 0% errors/);
    const step = report.faults.find((f) => f.id === "restore-db")!;
    expect(step.calledAt).toBeUndefined();
    expect(step.injectedAt).toBeGreaterThanOrEqual(25_000);
    const history = History.parse(JSON.parse(await readFile(join(run.reportsDir, "latest", "history.json"), "utf8")));
    expect(history.containerEvents.filter((e) => e.node === "db" && e.atMs >= 0 && e.action === "die")).toEqual([]);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 240_000);
});
