import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { nightly } from "../support/nightly.ts";
import { repoRoot, runHavoc } from "../support/run-cli.ts";

/**
 * `havoc explore` and `havoc shrink` live (nightly, HAVOC_NIGHTLY=1): trackr with two app servers, where a kill of
 * app-1 or a stop of app-2 alone is harmless and both at once are an outage. Seeds 2 and 3 both draw a kill and a
 * stop overlapping for more than 5 s (scenario/plan.ts makes the same plan for the same seed), so both must fail
 * the device outage, one signature; then a short shrink must write the minimal scenario, its log and its replay.
 * About 2 min for explore and 10 min for the shrink on 2 cores. Then the negative control: the tolerant twin (three
 * app servers, never more than two down) explored over two seeds whose draws hold two app servers down at once must
 * find nothing (about 2.5 min).
 */
describe.runIf(nightly)("explore and shrink on the overlap-only trackr scenario (integration)", () => {
  it("explore finds the overlap in two seeds, shrink writes a runnable minimal plan", async () => {
    const explore = await runHavoc(["explore", "scenarios/trackr/explore-app-overlap.ts", "--runs", "2", "--seed", "2"], { timeoutMs: 8 * 60_000 });
    try {
      expect(explore.exitCode).toBe(1);
      expect(explore.stdout).toContain("Explore: 2 seeds tried");
      // Both seeds draw the overlap; a short one sits near the 5 s limit, so at least one must fail with it.
      expect(explore.stdout).toMatch(/[12]\s+[23]\s+device-longest-outage @ kill\+stop/);
      const failing = /shrink the first failure: havoc shrink (\S+)/.exec(explore.stdout)?.[1];
      expect(failing).toBeDefined();
      const shrink = await runHavoc(["shrink", failing!, "--repeats", "1", "--budget", "8m", "--reports", explore.reportsDir], { timeoutMs: 16 * 60_000 });
      expect([0, 1]).toContain(shrink.exitCode);
      const dir = /shrink: (\S+) \(minimal\.ts, shrink\.log, shrink\.json\)/.exec(shrink.stdout)?.[1];
      expect(dir).toBeDefined();
      for (const file of ["minimal.ts", "shrink.log", "shrink.json"]) expect(existsSync(join(dir!, file))).toBe(true);
      const result = JSON.parse(await readFile(join(dir!, "shrink.json"), "utf8")) as { reproduced: boolean; plan: { faults: { kind: string }[] }; times: { from: string; fallbacks: string[] } };
      expect(result.reproduced).toBe(true);
      // It started from the times the failing run executed, which this run recorded: no call time had to be rebuilt.
      expect(result.times.from).toBe("executed");
      expect(result.times.fallbacks.filter((f) => f.includes("call time"))).toEqual([]);
      expect(await readFile(join(dir!, "shrink.log"), "utf8")).toContain("start: the fault times the run executed");
      // Whatever the budget allowed, the plan still holds the overlap: a kill and a stop.
      expect(new Set(result.plan.faults.map((f) => f.kind))).toEqual(new Set(["kill", "stop"]));
    } finally {
      await rm(explore.reportsDir, { recursive: true, force: true });
    }
  }, 30 * 60_000);

  it("explore finds nothing in the tolerant twin, though its draws overlap", async () => {
    // Seeds 1 and 2 each draw two app servers down at once (havoc check --seed 1 / --seed 2), never all three.
    const explore = await runHavoc(["explore", "scenarios/trackr/explore-app-tolerant.ts", "--runs", "2", "--seed", "1"], { timeoutMs: 8 * 60_000 });
    try {
      expect(explore.exitCode).toBe(0);
      expect(explore.stdout).toContain("Explore: 2 seeds tried");
      expect(explore.stdout).toMatch(/0 failed, 2 passed, 0 errored/);
      // The effect: every run's plan really held two app servers down together (an overlap of at least 5 s), the
      // outage the overlap-only twin cannot survive.
      const summary = JSON.parse(await readFile(join(resolve(repoRoot, /^explore: (\S+)\s*$/m.exec(explore.stdout)![1]!), "explore.json"), "utf8")) as { runs: { runDir: string }[] };
      expect(summary.runs).toHaveLength(2);
      for (const run of summary.runs) {
        const report = JSON.parse(await readFile(join(resolve(repoRoot, run.runDir), "report.json"), "utf8")) as { plan: { faults: { targets: string[]; atMs: number; healAtMs: number }[] } };
        const faults = report.plan.faults;
        const longestOverlapMs = Math.max(
          0,
          ...faults.flatMap((a, i) => faults.slice(i + 1).filter((b) => a.targets[0] !== b.targets[0]).map((b) => Math.min(a.healAtMs, b.healAtMs) - Math.max(a.atMs, b.atMs))),
        );
        expect(longestOverlapMs).toBeGreaterThanOrEqual(5_000);
      }
    } finally {
      await rm(explore.reportsDir, { recursive: true, force: true });
    }
  }, 10 * 60_000);
});
