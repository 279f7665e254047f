import { describe, expect, it } from "vitest";
import { explore, type ExploreProgress, type RunSummary } from "../../engine/explore/explore.ts";
import { formatExploreTable } from "../../engine/explore/explore-format.ts";
import { failureSignature } from "../../engine/explore/signature.ts";
import { generate, maxActive, parseSpec, simulatedRunOne } from "../../engine/explore/testing/fixtures.ts";
import { createSimulatedSystem } from "../../engine/explore/testing/simulated-system.ts";
import { fakeClock } from "../../engine/explore/testing/simulated-topology.ts";

const specInput = {
  mix: [
    { weight: 2, fault: { kind: "kill", target: { role: "app" } } },
    { weight: 2, fault: { kind: "pause", target: { role: "app" } } },
    { fault: { kind: "delay", target: { role: "db" } } },
  ],
  staggerMs: "6s",
  durationMs: { min: "2s", max: "12s" },
  maxConcurrent: 3,
  phases: { quietStartMs: "5s", chaosEndMs: "60s" },
  limits: { protectRoles: ["load"] },
};
const overlapping = parseSpec(specInput);
/** A kill of app-1 while app-2 is paused breaks availability; anything less is tolerated. */
const killDuringPause = createSimulatedSystem({ triggers: [{ slo: "availability", first: { kind: "kill", node: "app-1" }, second: { kind: "pause", node: "app-2" } }] });
const RUN_WALL_MS = 120_000;
const seedsFrom1 = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe("explore", () => {
  it("finds the kill-during-pause overlap within 40 runs, and every failing seed's plan really has it", async () => {
    const clock = fakeClock();
    const result = await explore({ runOne: simulatedRunOne(overlapping, killDuringPause, clock, RUN_WALL_MS), seeds: seedsFrom1(40), now: clock.now });
    expect(result.runs).toHaveLength(40);
    expect(result.stoppedBy).toBe("seeds");
    expect(result.failures).toBeGreaterThan(0);
    // The plan's kinds are part of the signature: kill+pause alone, or with a delay too.
    for (const group of result.groups) expect(group.signature).toMatch(/^availability @ (delay\+)?kill\+pause$/);
    for (const group of result.groups) {
      expect(group.failedSlos).toEqual(["availability"]);
      expect(group.faultKinds).toEqual(expect.arrayContaining(["kill", "pause"]));
      expect(group.firstSeed).toBe(Math.min(...group.seeds));
      expect(group.runDirs).toEqual(group.seeds.map((s) => `havoc-results/runs/explore-${s}`));
    }
    const failingSeeds = result.groups.flatMap((g) => g.seeds).sort((a, b) => a - b);
    expect(failingSeeds).toEqual(seedsFrom1(40).filter((seed) => killDuringPause.triggered(generate(overlapping, seed)).length > 0));
    expect(result.groups.reduce((sum, g) => sum + g.count, 0)).toBe(result.failures);
  });

  it("finds nothing in 300 runs when the down limit tolerates every allowed overlap (one app node down at a time)", async () => {
    const limited = parseSpec({ ...specInput, limits: { maxDownFraction: "minority", protectRoles: ["load"] } });
    const clock = fakeClock();
    const result = await explore({ runOne: simulatedRunOne(limited, killDuringPause, clock, RUN_WALL_MS), seeds: seedsFrom1(300), now: clock.now });
    expect(result.runs).toHaveLength(300);
    expect(result.failures).toBe(0);
    expect(result.groups).toEqual([]);
    // Not because nothing overlaps or app-1/app-2 are never hit: faults do overlap, just never two app nodes down.
    const plans = seedsFrom1(300).map((seed) => generate(limited, seed));
    expect(plans.filter((p) => maxActive(p) >= 2).length).toBeGreaterThan(100);
    expect(plans.filter((p) => p.some((f) => f.kind === "kill" && f.targets.includes("app-1")) && p.some((f) => f.kind === "pause" && f.targets.includes("app-2"))).length).toBeGreaterThan(50);
  });

  it("finds nothing when maxConcurrent is 1, though the same seeds fail with overlaps allowed", async () => {
    const sequential = { ...overlapping, maxConcurrent: 1 };
    const clock = fakeClock();
    const result = await explore({ runOne: simulatedRunOne(sequential, killDuringPause, clock, RUN_WALL_MS), seeds: seedsFrom1(200), now: clock.now });
    expect(result.failures).toBe(0);
    const withOverlaps = await explore({ runOne: simulatedRunOne(overlapping, killDuringPause, clock, RUN_WALL_MS), seeds: seedsFrom1(200), now: clock.now });
    expect(withOverlaps.failures).toBeGreaterThan(10);
  });

  it("groups failures by signature, most frequent first, with the first seed of each", async () => {
    const twoWays = createSimulatedSystem({
      triggers: [
        { slo: "availability", first: { kind: "kill", node: "app-1" }, second: { kind: "pause", node: "app-2" } },
        { slo: "no-lost-writes", first: { kind: "kill", node: "app-3" }, second: { kind: "kill", node: "app-2" } },
      ],
    });
    const clock = fakeClock();
    const result = await explore({ runOne: simulatedRunOne(overlapping, twoWays, clock, RUN_WALL_MS), seeds: seedsFrom1(200), now: clock.now });
    const slosSeen = new Set(result.groups.flatMap((g) => g.failedSlos));
    expect(slosSeen).toEqual(new Set(["availability", "no-lost-writes"]));
    expect(result.groups.map((g) => g.count)).toEqual([...result.groups.map((g) => g.count)].sort((a, b) => b - a));
    for (const group of result.groups) {
      const expectedSeeds = result.runs.filter((r) => r.verdict === "fail" && failureSignature(r.failedSlos, r.faultKinds) === group.signature).map((r) => r.seed);
      expect(group.seeds).toEqual(expectedSeeds);
      expect(group.firstSeed).toBe(expectedSeeds[0]);
    }
  });

  it("stops at the time budget on a fake clock and reports runs per hour", async () => {
    const clock = fakeClock();
    const result = await explore({ runOne: simulatedRunOne(overlapping, killDuringPause, clock, RUN_WALL_MS), seeds: seedsFrom1(1000), budgetMs: 10 * 60_000, now: clock.now });
    // Runs start at 0, 2, 4, 6 and 8 minutes; at 10 minutes the budget is spent.
    expect(result.runs).toHaveLength(5);
    expect(result.stoppedBy).toBe("budget");
    expect(result.wallMs).toBe(10 * 60_000);
    expect(result.runsPerHour).toBe(30);
  });

  it("stops at maxRuns, and reports progress after every run", async () => {
    const clock = fakeClock();
    const progress: ExploreProgress[] = [];
    const result = await explore({ runOne: simulatedRunOne(overlapping, killDuringPause, clock, RUN_WALL_MS), seeds: seedsFrom1(1000), maxRuns: 25, now: clock.now, onProgress: (p) => progress.push(p) });
    expect(result.stoppedBy).toBe("maxRuns");
    expect(progress.map((p) => p.runsDone)).toEqual(seedsFrom1(25));
    const last = progress.at(-1)!;
    expect(last.failures).toBe(result.failures);
    expect(last.runsPerHour).toBe(30);
    expect(last.line).toContain(`explore: 25 runs, ${result.failures} failed`);
    expect(last.line).toContain("30.0 runs/h");
    if (result.failures > 0) expect(last.line).toContain(`${result.groups[0]!.signature} x${result.groups[0]!.count}`);
  });

  it("counts a run that throws as an error and goes on with the next seed", async () => {
    const clock = fakeClock();
    const runOne = async (seed: number): Promise<RunSummary> => {
      clock.advance(1_000);
      if (seed === 2) throw new Error("docker: no such container");
      return { seed, verdict: seed === 3 ? "unknown" : "pass", failedSlos: [], faultKinds: [], wallMs: 1_000 };
    };
    const result = await explore({ runOne, seeds: [1, 2, 3, 4], now: clock.now });
    expect(result.runs.map((r) => r.verdict)).toEqual(["pass", "error", "unknown", "pass"]);
    expect(result.runs[1]!.error).toBe("docker: no such container");
    expect(result.undecided).toBe(2);
    expect(result.failures).toBe(0);
    expect(formatExploreTable(result)).toContain("seed 2: docker: no such container");
  });

  it('draws distinct random seeds and refuses "random" without a bound', async () => {
    await expect(explore({ runOne: async () => ({ seed: 0, verdict: "pass", failedSlos: [], faultKinds: [], wallMs: 0 }), seeds: "random" })).rejects.toThrow(/never run out; give maxRuns or budgetMs/);
    const draws = [5, 5, 9, 5, 9, 12];
    const tried: number[] = [];
    await explore({
      runOne: async (seed) => (tried.push(seed), { seed, verdict: "pass", failedSlos: [], faultKinds: [], wallMs: 0 }),
      seeds: "random",
      maxRuns: 3,
      randomSeed: () => draws.shift()!,
    });
    expect(tried).toEqual([5, 9, 12]);
  });

  it("formats a table with seeds tried, wall time, runs per hour, and each signature's count and first seed", async () => {
    const clock = fakeClock();
    const result = await explore({ runOne: simulatedRunOne(overlapping, killDuringPause, clock, RUN_WALL_MS), seeds: seedsFrom1(60), now: clock.now });
    const table = formatExploreTable(result);
    expect(table).toContain("Explore: 60 seeds tried in 2 h 00 m (30.0 runs/h; every seed given was tried)");
    expect(table).toContain(`${result.failures} failed, ${60 - result.failures} passed, 0 errored, 0 unknown`);
    expect(table).toMatch(/failures\s+first seed\s+signature\s+seeds\s+first run/);
    for (const g of result.groups) expect(table).toMatch(new RegExp(`${g.count}\\s+${g.firstSeed}\\s+${g.signature.replace(/[+]/g, "\\+")}`));
  });
});
