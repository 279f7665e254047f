import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { History } from "../../core/history.ts";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

/**
 * The stale-reads SLO on real containers: trackr's apps read from a streaming replica, and a 2 s latency toxic on the
 * replication link (15 s to 30 s) makes people miss their own writes. Run through the CLI as a user would.
 */
describe("trackr: replica lag makes reads stale (integration)", () => {
  it("fails the stale-reads SLO during the lag only (exit 1), with every read still answered and no write lost", async () => {
    const run = await runHavoc(["run", "scenarios/trackr/replica-lag-stale-reads.ts", "--seed", "7"]);
    expect(run.exitCode, run.stderr.slice(-3000)).toBe(1);
    const report = await readLatestReport(run.reportsDir);
    const verdicts = Object.fromEntries(report.slos.map((s) => [s.id, s]));
    expect(verdicts["people-availability"]!.verdict).toBe("pass");
    expect(verdicts["no-acknowledged-write-lost"]!.verdict).toBe("pass");
    expect(verdicts["fresh-before-lag"]!.verdict, verdicts["fresh-before-lag"]!.why).toBe("pass");
    expect(verdicts["fresh-during-lag"]!.verdict).toBe("fail");
    expect(report.dataLoss.lost).toBe(0);

    // The wiring is what the scenario says: the apps read from the replica, which copied the primary through the link.
    const runDir = join(run.reportsDir, "latest");
    expect(await readFile(join(runDir, "logs", "app-1.log"), "utf8")).toContain("reads from READ_DATABASE_URL");
    expect(await readFile(join(runDir, "logs", "replica.log"), "utf8")).toMatch(/copied the primary at db-repl:5432/);

    // Stale reads are where the lag was: nearly every check while replication ran 2 s late, almost none outside.
    const history = History.parse(JSON.parse(await readFile(join(runDir, "history.json"), "utf8")));
    const [lag] = history.faults;
    const people = history.timeline.filter((b) => b.traffic === "people");
    const fromSecond = Math.ceil(lag!.injectedAtMs / 1000);
    const toSecond = Math.floor(lag!.healedAtMs! / 1000); // seconds wholly inside the lag: [fromSecond, toSecond)
    const inside = people.filter((b) => b.second >= fromSecond && b.second < toSecond);
    const outside = people.filter((b) => b.second < fromSecond - 1 || b.second > toSecond + 1);
    const total = (buckets: typeof people, pick: (b: (typeof people)[number]) => number) => buckets.reduce((n, b) => n + pick(b), 0);
    const checksInside = total(inside, (b) => b.freshnessChecks);
    const staleInside = total(inside, (b) => b.staleReads);
    const checksOutside = total(outside, (b) => b.freshnessChecks);
    const staleOutside = total(outside, (b) => b.staleReads);
    console.info(`replica lag: ${staleInside} stale of ${checksInside} checks during, ${staleOutside} of ${checksOutside} outside`);
    expect(checksInside).toBeGreaterThan(20);
    expect(staleInside).toBeGreaterThanOrEqual(0.8 * checksInside);
    expect(checksOutside).toBeGreaterThan(40);
    expect(staleOutside).toBeLessThanOrEqual(2);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  });
});
