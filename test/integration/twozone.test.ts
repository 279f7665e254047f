import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nightly } from "../support/nightly.ts";
import { History, type TimelineBucket } from "../../core/history.ts";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

/**
 * The two-zone site's claims, on real containers through the CLI: PostgreSQL primary in zone A, streaming standby in
 * zone B, a proxy per zone serving reads locally and sending writes to zone A.
 */

/** ok and all requests of one class in the seconds wholly inside [fromMs, toMs). */
function inside(history: History, traffic: string, fromMs: number, toMs: number): { ok: number; requests: number } {
  const buckets = history.timeline.filter((b: TimelineBucket) => b.traffic === traffic && b.second >= Math.ceil(fromMs / 1000) && b.second < Math.floor(toMs / 1000));
  return { ok: buckets.reduce((n, b) => n + b.ok, 0), requests: buckets.reduce((n, b) => n + b.requests, 0) };
}

async function runScenario(file: string) {
  const run = await runHavoc(["run", file, "--seed", "7"]);
  const report = await readLatestReport(run.reportsDir);
  const history = History.parse(JSON.parse(await readFile(join(run.reportsDir, "latest", "history.json"), "utf8")));
  return { run, report, history };
}

describe("twozone (integration)", () => {
  // CI runs the zone A loss (it also proves the probes); the zone split (a zone cut, covered by faults-network) nightly.
  it.runIf(nightly)("a zone split leaves zone B read-only: its reads go on, its writes are refused, zone A writes on, nothing lost", async () => {
    const { run, report, history } = await runScenario("scenarios/twozone/zone-split.ts");
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
      ["zone-b-reads-during-split", "pass"],
      ["zone-a-writes-during-split", "pass"],
      ["zone-b-writes-before-split", "pass"],
      ["no-zone-a-write-lost", "pass"],
      ["no-zone-b-write-lost", "pass"],
    ]);
    const [split] = history.faults;
    expect(split!.mechanism).toMatch(/^nft drop/);
    const during = (traffic: string) => inside(history, traffic, split!.injectedAtMs, split!.healedAtMs!);
    const readsB = during("readers-b");
    const writesB = during("writers-b");
    const writesA = during("writers-a");
    console.info(`zone split: zone B reads ${readsB.ok}/${readsB.requests} ok, zone B writes ${writesB.ok}/${writesB.requests}, zone A writes ${writesA.ok}/${writesA.requests}`);
    expect(readsB.requests).toBeGreaterThan(100);
    expect(readsB.ok).toBe(readsB.requests);
    // Read-only: not one zone B write acknowledged while cut from the primary (none could be, without split brain).
    expect(writesB.requests).toBeGreaterThan(200);
    expect(writesB.ok).toBe(0);
    expect(writesA.ok).toBe(writesA.requests);
    expect(report.dataLoss.byTraffic["writers-b"]).toMatchObject({ lost: 0, unexpected: 0 });
    expect(report.dataLoss.byTraffic["writers-b"]!.acknowledged).toBeGreaterThan(300); // before and after the split
    expect(report.dataLoss).toMatchObject({ lost: 0, unexpected: 0 });
    expect(Object.keys(report.dataLoss.byTraffic).sort()).toEqual(["writers-a", "writers-b"]);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  });

  it("losing zone A leaves the whole system read-only: zone B reads go on, no write anywhere is acknowledged", async () => {
    const { run, report, history } = await runScenario("scenarios/twozone/zone-a-loss.ts");
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(0);
    expect(report.slos.every((s) => s.verdict === "pass")).toBe(true);
    const [loss] = history.faults;
    const zoneA = ["db-a", "app-a", "proxy-a"];
    for (const node of zoneA) {
      expect(history.containerEvents.some((e) => e.node === node && e.action === "die" && e.exitCode === 137 && e.atMs >= 0), node).toBe(true);
    }
    // Until the first zone A node starts again: the heal completes only once all three answer their readiness probes,
    // and writes may be acknowledged in between.
    const backAtMs = Math.min(...history.containerEvents.filter((e) => zoneA.includes(e.node) && e.action === "start" && e.atMs > loss!.injectedAtMs).map((e) => e.atMs));
    expect(backAtMs).toBeLessThanOrEqual(loss!.healedAtMs!);
    const during = (traffic: string) => inside(history, traffic, loss!.injectedAtMs, backAtMs);
    const readsB = during("readers-b");
    const writesA = during("writers-a");
    const writesB = during("writers-b");
    console.info(`zone A loss: zone B reads ${readsB.ok}/${readsB.requests} ok, writes ${writesA.ok}/${writesA.requests} (A) ${writesB.ok}/${writesB.requests} (B)`);
    expect(readsB.requests).toBeGreaterThan(100);
    expect(readsB.ok).toBe(readsB.requests);
    // The standby was never promoted: with zone A gone nothing took a write.
    expect(writesA.requests + writesB.requests).toBeGreaterThan(600);
    expect(writesA.ok + writesB.ok).toBe(0);
    expect(report.dataLoss).toMatchObject({ lost: 0, unexpected: 0 });
    expect(report.dataLoss.acknowledged).toBeGreaterThan(600);
    // The system's own signals, sampled every second: db-a leads, then nobody while zone A is gone (db-a does not
    // answer, db-b is a standby), then db-a again; zone B's standby reported a replication lag before the loss.
    const changes = history.probes!.leaderChanges;
    console.info(`zone A loss: leader changes ${changes.map((c) => `${(c.atMs / 1000).toFixed(1)} s ${c.leaders.join("+") || "none"}${c.unreachable.length ? ` (no answer: ${c.unreachable.join(",")})` : ""}`).join("; ")}`);
    expect(changes[0]).toMatchObject({ leaders: ["db-a"] });
    // A sample that starts while the kill is under way already sees no leader: stamp <= death event.
    const leaderless = changes.find((c) => c.leaders.length === 0 && c.atMs >= (loss!.calledAtMs ?? loss!.injectedAtMs) - 1_000);
    expect(leaderless).toBeDefined();
    expect(leaderless!.atMs - loss!.injectedAtMs).toBeLessThan(3_000);
    expect(changes.at(-1)).toMatchObject({ leaders: ["db-a"] });
    expect(changes.some((c) => c.leaders.includes("db-b"))).toBe(false);
    const lag = history.probes!.series.find((s) => s.series === "lag_bytes:db-b" && s.node === "db-a");
    expect(lag!.points.filter(([atMs]) => atMs < loss!.injectedAtMs).length).toBeGreaterThan(5);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    const html = await readFile(join(run.reportsDir, "latest", "report.html"), "utf8");
    expect(html).toContain('<svg class="probe leader" data-probe="leader-db"');
    expect(html).toContain('data-series="lag_bytes:db-b"');
  });
});
