import { describe, expect, it } from "vitest";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

describe("two runs at once on one machine (integration)", () => {
  it("do not collide: both complete with their own names, ports and networks, and clean up", async () => {
    const [a, b] = await Promise.all([
      runHavoc(["run", "test/fixtures/trackr-short-kill.ts", "--seed", "1"]),
      runHavoc(["run", "test/fixtures/trackr-short-kill.ts", "--seed", "2"]),
    ]);
    for (const run of [a!, b!]) expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    const [ra, rb] = await Promise.all([readLatestReport(a!.reportsDir), readLatestReport(b!.reportsDir)]);
    expect(ra.runId).not.toBe(rb.runId);
    for (const report of [ra, rb]) {
      expect(report.status).toBe("completed");
      expect(report.dataLoss.acknowledged).toBeGreaterThan(100);
      expect(report.dataLoss.lost).toBe(0);
      expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    }
  });
});
