import { describe, expect, it } from "vitest";
import { leftovers, readLatestReport, runHavoc } from "../support/run-cli.ts";

describe("safety stop (integration)", () => {
  it("heals the fault early once the named condition holds, and still judges the SLOs", async () => {
    const run = await runHavoc(["run", "test/fixtures/trackr-safety-stop.ts", "--seed", "5"]);
    expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    const report = await readLatestReport(run.reportsDir);
    expect(report.reason).toMatch(/^safety stop: devices errors >= 90% for 3 s/);
    const [fault] = report.faults;
    // Planned heal at 20 s; the stop trips about 3 s of full errors after 5 s plus the timeline's closing delay.
    expect(fault!.healedAt).not.toBeNull();
    expect(fault!.healedAt!).toBeLessThan(17_000);
    expect(report.slos.map((s) => s.verdict)).toEqual(["pass", "pass"]);
    expect(report.dataLoss.lost).toBe(0);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  });
});
