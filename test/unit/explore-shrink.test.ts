import { describe, expect, it } from "vitest";
import { ddmin, split } from "../../engine/explore/ddmin.ts";
import { formatShrinkLog, type ShrinkStep } from "../../engine/explore/shrink-log.ts";
import { faultsOverlap, summarizePlan, type ShrinkPlan } from "../../engine/explore/shrink-plan.ts";
import { shrink } from "../../engine/explore/shrink.ts";
import { sloSignature } from "../../engine/explore/signature.ts";
import { generate, parseSpec, toShrinkPlan } from "../../engine/explore/testing/fixtures.ts";
import { createSimulatedSystem, type SimulatedSystem } from "../../engine/explore/testing/simulated-system.ts";
import { fakeClock } from "../../engine/explore/testing/simulated-topology.ts";

const trigger = { slo: "availability", first: { kind: "kill", node: "app-1" }, second: { kind: "pause", node: "app-2" } };
const deterministic = createSimulatedSystem({ triggers: [trigger] });

function specWith(pauseMode: "one" | "majority") {
  return parseSpec({
    mix: [
      { weight: 2, fault: { kind: "kill", target: { role: "app" } } },
      { weight: 2, fault: { kind: "pause", target: { role: "app", mode: pauseMode } } },
      { fault: { kind: "delay", target: { role: "db" } } },
      { fault: { kind: "kill", target: { role: "db" } } },
    ],
    staggerMs: "5s",
    durationMs: { min: "3s", max: "15s" },
    maxConcurrent: 3,
    phases: { quietStartMs: "5s", chaosEndMs: "60s" },
    limits: { protectRoles: ["load"] },
  });
}

/** The first seed (searched from 1) whose generated plan has 6 to 8 faults and breaks the system. */
function failingSchedule(pauseMode: "one" | "majority", accept: (plan: ShrinkPlan) => boolean = () => true): { seed: number; plan: ShrinkPlan } {
  const spec = specWith(pauseMode);
  for (let seed = 1; seed <= 500; seed++) {
    const faults = generate(spec, seed);
    const plan = toShrinkPlan(faults);
    if (faults.length >= 6 && faults.length <= 8 && deterministic.triggered(faults).length > 0 && accept(plan)) return { seed, plan };
  }
  throw new Error("no failing schedule of 6-8 faults in seeds 1..500");
}

function runnerFor(system: SimulatedSystem, clock?: { advance(ms: number): void }) {
  return async (plan: ShrinkPlan, attempt: number) => {
    clock?.advance(60_000);
    const outcome = system.run(plan.faults, attempt);
    return { failed: outcome.failed, signature: sloSignature(outcome.failedSlos) };
  };
}

/** The result is exactly kill [app-1] and pause [app-2], overlapping, taken from the original and no larger. */
function expectExactlyTheOverlap(result: ShrinkPlan, original: ShrinkPlan) {
  expect(result.faults).toHaveLength(2);
  const kill = result.faults.find((f) => f.kind === "kill")!;
  const pause = result.faults.find((f) => f.kind === "pause")!;
  expect(kill.targets).toEqual(["app-1"]);
  expect(pause.targets).toEqual(["app-2"]);
  expect(faultsOverlap(kill, pause)).toBe(true);
  for (const f of [kill, pause]) {
    const from = original.faults.find((o) => o.id === f.id)!;
    expect(from.kind).toBe(f.kind);
    expect(f.healAtMs - f.atMs).toBeGreaterThanOrEqual(1_000);
    expect(f.healAtMs - f.atMs).toBeLessThanOrEqual(from.healAtMs - from.atMs);
    expect(f.atMs).toBeLessThanOrEqual(from.atMs);
  }
  // 1-minimal: without either fault the system holds.
  for (const f of result.faults) expect(deterministic.triggered(result.faults.filter((g) => g !== f))).toEqual([]);
}

describe("ddmin", () => {
  it("finds the two items that fail together among sixteen", async () => {
    const tested: number[][] = [];
    const result = await ddmin(
      Array.from({ length: 16 }, (_, i) => i),
      async (subset) => (tested.push(subset), subset.includes(3) && subset.includes(11)),
    );
    expect(result).toEqual([3, 11]);
    // Within the paper's worst case of n^2 + 3n tests, and no subset tested twice.
    expect(tested.length).toBeLessThanOrEqual(16 * 16 + 3 * 16);
    expect(new Set(tested.map((t) => t.join())).size).toBe(tested.length);
  });

  it("finds a single culprit, and an empty set when the failure needs no item at all", async () => {
    expect(await ddmin([1, 2, 3, 4, 5], async (s) => s.includes(4))).toEqual([4]);
    expect(await ddmin([1, 2, 3], async () => true)).toEqual([]);
    expect(await ddmin([1, 2, 3], async (s) => s.length === 3)).toEqual([1, 2, 3]);
  });

  it("splits into chunks whose sizes differ by at most one", () => {
    expect(split([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([[1, 2], [3, 4], [5, 6, 7]]);
    expect(split([1, 2], 4)).toEqual([[1], [2]]);
  });
});

describe("shrink", () => {
  it("reduces a generated 6-8 fault failing schedule to exactly the kill and the pause that overlap, 1-minimal", async () => {
    const { plan } = failingSchedule("one");
    const steps: ShrinkStep[] = [];
    const result = await shrink({ plan, runCandidate: runnerFor(deterministic), onStep: (s) => steps.push(s) });
    expect(result.reproduced).toBe(true);
    expect(result.targetSignature).toBe("availability");
    expect(result.complete).toBe(true);
    expectExactlyTheOverlap(result.plan, plan);
    expect(steps).toEqual(result.steps);
    expect(result.steps[0]).toMatchObject({ move: "original", runs: 3, failures: 3, accepted: true });
    expect(result.runs).toBe(result.steps.reduce((sum, s) => sum + s.runs, 0));
    // A deterministic system fails all or none of the repeats.
    for (const step of result.steps) expect([0, 3]).toContain(step.failures);
  });

  it("narrows a pause of two app nodes to app-2 alone", async () => {
    const { plan } = failingSchedule("majority", (p) => p.faults.some((f) => f.kind === "pause" && f.targets.length === 2 && f.targets.includes("app-2")));
    const result = await shrink({ plan, runCandidate: runnerFor(deterministic) });
    expect(result.complete).toBe(true);
    expectExactlyTheOverlap(result.plan, plan);
    const pauseId = result.plan.faults.find((f) => f.kind === "pause")!.id;
    expect(plan.faults.find((f) => f.id === pauseId)!.targets).toHaveLength(2);
    expect(result.steps.some((s) => s.move === "narrow" && s.accepted && s.description.startsWith(`narrow ${pauseId}: drop target`))).toBe(true);
  });

  it("shrinks against a flaky system (fails 3 times in 4 when the overlap is there) with 3 repeats per candidate", async () => {
    const { plan } = failingSchedule("one");
    let reproduced = 0;
    for (let seed = 1; seed <= 10; seed++) {
      const flaky = createSimulatedSystem({ triggers: [trigger], failProbability: 0.75, seed });
      const result = await shrink({ plan, runCandidate: runnerFor(flaky), repeats: 3 });
      // The original itself fails 0 of 3 times with probability 1/64: then there is nothing to shrink.
      if (!result.reproduced) continue;
      reproduced += 1;
      expect(result.complete).toBe(true);
      expectExactlyTheOverlap(result.plan, plan);
      // The log shows partial failure rates: some candidates still failing failed only 1 or 2 of 3 runs.
      expect(result.steps.some((s) => s.accepted && s.failures < 3)).toBe(true);
      expect(formatShrinkLog(result)).toMatch(/ [12]\/3 +still fails /);
    }
    expect(reproduced).toBeGreaterThanOrEqual(9);
  });

  it("gives a candidate wrongly judged passing (flaky 0/3) another chance in the next round", async () => {
    const fault = (id: string, kind: string, target: string, atMs: number, healAtMs: number) => ({ id, kind, targets: [target], atMs, healAtMs, template: {} });
    // Nothing to shorten or move but the delay, so only the delay's change starts a second round.
    const plan: ShrinkPlan = { faults: [fault("k", "kill", "app-1", 0, 1_000), fault("p", "pause", "app-2", 500, 1_500), fault("d", "delay", "db-1", 0, 4_000)] };
    let unluckyRuns = 3;
    const result = await shrink({
      plan,
      runCandidate: async (candidate, attempt) => {
        const pair = candidate.faults.map((f) => f.id).join() === "k,p";
        if (pair && unluckyRuns > 0) {
          unluckyRuns -= 1;
          return { failed: false, signature: "" };
        }
        return runnerFor(deterministic)(candidate, attempt);
      },
    });
    expect(unluckyRuns).toBe(0);
    expect(result.complete).toBe(true);
    expect(result.plan.faults.map((f) => f.id)).toEqual(["k", "p"]);
    const pairSteps = result.steps.filter((s) => s.description === "drop 1 of 3 faults (keep k, p)");
    expect(pairSteps.map((s) => `${s.failures}/${s.runs}`)).toEqual(["0/3", "3/3"]);
  });

  it("keeps the overlap when a kill's aftermath would let a shortened, no longer overlapping kill still fail", async () => {
    // The live shrink of trackr (docs/explore.md): a killed app server is down ~2 s past its heal (it starts again),
    // so halving the kill to end just before the stop still failed, and the "minimal" plan had no overlap left.
    const lingering = createSimulatedSystem({ triggers: [trigger], aftermathMs: { kill: 2_000 } });
    const fault = (id: string, kind: string, target: string, atMs: number, healAtMs: number) => ({ id, kind, targets: [target], atMs, healAtMs, template: {} });
    // Seed 101's draw, in its order: ddmin keeps the kill and the later pause (the pair that overlaps 5.8 s).
    const plan: ShrinkPlan = { faults: [fault("s", "pause", "app-2", 11_200, 22_900), fault("k", "kill", "app-1", 19_400, 32_300), fault("p", "pause", "app-2", 26_500, 36_100)] };
    // Halving the kill to 19.4-25.8 s ends it 0.7 s before the pause: no overlap on paper, one through the aftermath.
    expect(lingering.triggered([fault("k", "kill", "app-1", 19_400, 25_850), plan.faults[2]!])).toEqual(["availability"]);
    const apart: string[] = [];
    const run = runnerFor(lingering);
    const result = await shrink({
      plan,
      earliestMs: 10_000,
      runCandidate: async (candidate, attempt) => {
        const [k, p] = [candidate.faults.find((f) => f.id === "k"), candidate.faults.find((f) => f.id === "p")];
        if (k && p && !faultsOverlap(k, p)) apart.push(summarizePlan(candidate));
        return run(candidate, attempt);
      },
    });
    // No candidate ever separated the pair on paper (before the fix: "k kill [app-1] 19.4-25.9 s" still failed, kept).
    expect(apart).toEqual([]);
    expect(result.complete).toBe(true);
    expect(result.plan.faults.map((f) => f.id).sort()).toEqual(["k", "p"]);
    const [kill, pause] = [result.plan.faults.find((f) => f.id === "k")!, result.plan.faults.find((f) => f.id === "p")!];
    // Both overlap in the plan, by at least the time resolution (1 s) the shape moves keep.
    expect(Math.min(kill.healAtMs, pause.healAtMs) - Math.max(kill.atMs, pause.atMs)).toBeGreaterThanOrEqual(1_000);
  });

  it("on a noisy host (a harmless plan fails 1 run in 10), 3 failures of 5 keep the cause where 1 of 3 never does", async () => {
    // Seen live: with 1 of 3, a trackr shrink kept a lone stop that only host stalls made fail (replayed 0 of 3).
    // Each accepted harmless candidate replaces the plan, and a shrink tries dozens: a small per-candidate chance of
    // a false "still fails" compounds. Measured here over 30 seeds (docs/explore.md): 1 of 3 kept the cause 0 times,
    // 2 of 3 18 times, 3 of 5 28 times.
    const { plan } = failingSchedule("one");
    const seeds = 30;
    const kept = async (repeats: number, minFailures: number) => {
      let count = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const noisy = createSimulatedSystem({ triggers: [trigger], failProbability: 0.9, noise: 0.1, seed });
        const result = await shrink({ plan, runCandidate: runnerFor(noisy), repeats, minFailures });
        if (result.reproduced && deterministic.triggered(result.plan.faults).length > 0) count += 1;
      }
      return count;
    };
    expect(await kept(3, 1)).toBeLessThanOrEqual(3);
    expect(await kept(3, 2)).toBeGreaterThanOrEqual(12);
    expect(await kept(5, 3)).toBeGreaterThanOrEqual(25);
  });

  it("refuses minFailures above repeats, and stops a candidate's runs once it can no longer reach minFailures", async () => {
    const { plan } = failingSchedule("one");
    await expect(shrink({ plan, runCandidate: runnerFor(deterministic), repeats: 2, minFailures: 3 })).rejects.toThrow(/minFailures must be a whole number from 1 to repeats \(2\); got 3/);
    const result = await shrink({ plan, runCandidate: runnerFor(deterministic), repeats: 3, minFailures: 2 });
    expectExactlyTheOverlap(result.plan, plan);
    // A deterministic pass fails 0 of 2: the third run could not make 2 failures, so it is not run.
    for (const step of result.steps.filter((s) => !s.accepted)) expect(step.runs).toBe(2);
  });

  it("accepts a candidate at its first failing run with stopAtFirstFailure, in fewer runs", async () => {
    const { plan } = failingSchedule("one");
    const full = await shrink({ plan, runCandidate: runnerFor(deterministic) });
    const quick = await shrink({ plan, runCandidate: runnerFor(deterministic), stopAtFirstFailure: true });
    expect(quick.plan).toEqual(full.plan);
    expect(quick.runs).toBeLessThan(full.runs);
    for (const step of quick.steps) expect(step.accepted ? step.runs : 3).toBe(step.accepted ? 1 : step.runs);
  });

  it("stops at a run budget with complete = false and the smallest still-failing plan so far", async () => {
    const { plan } = failingSchedule("one");
    const result = await shrink({ plan, runCandidate: runnerFor(deterministic), budget: { runs: 20 } });
    expect(result.complete).toBe(false);
    expect(result.runs).toBe(20);
    expect(result.plan.faults.length).toBeLessThan(plan.faults.length);
    expect(deterministic.triggered(result.plan.faults)).toEqual(["availability"]);
    // The best so far is the last candidate that still failed.
    expect(result.steps.filter((s) => s.accepted).at(-1)!.faults).toBe(result.plan.faults.length);
    expect(formatShrinkLog(result)).toContain("stopped by the budget (not minimal)");
  });

  it("stops at a time budget on a fake clock", async () => {
    const clock = fakeClock();
    const { plan } = failingSchedule("one");
    const result = await shrink({ plan, runCandidate: runnerFor(deterministic, clock), budget: { ms: 30 * 60_000 }, now: clock.now });
    expect(result.complete).toBe(false);
    // Each run takes a minute: 30 runs fit, the next would start at the budget.
    expect(result.runs).toBe(30);
    expect(result.wallMs).toBe(30 * 60_000);
    expect(deterministic.triggered(result.plan.faults)).toEqual(["availability"]);
  });

  it("reports a plan that does not fail as not reproduced, after its repeats, and shrinks nothing", async () => {
    const { plan } = failingSchedule("one");
    const harmless: ShrinkPlan = { faults: plan.faults.filter((f) => !(f.kind === "pause" && f.targets.includes("app-2"))) };
    expect(deterministic.triggered(harmless.faults)).toEqual([]);
    const result = await shrink({ plan: harmless, runCandidate: runnerFor(deterministic) });
    expect(result).toMatchObject({ reproduced: false, complete: false, runs: 3, plan: harmless, targetSignature: undefined });
    expect(formatShrinkLog(result)).toContain("the original plan did not fail; nothing shrunk");
  });

  it("does not count a failure with another signature", async () => {
    const { plan } = failingSchedule("one");
    const result = await shrink({ plan, runCandidate: runnerFor(deterministic), targetSignature: "no-lost-writes" });
    expect(result.reproduced).toBe(false);
    expect(result.steps[0]!.otherSignatures).toEqual(["availability", "availability", "availability"]);
  });

  it("formats the log with every candidate's failure rate and the final plan", async () => {
    const { plan } = failingSchedule("one");
    const result = await shrink({ plan, runCandidate: runnerFor(deterministic) });
    const log = formatShrinkLog(result);
    expect(log).toContain(`Shrink: ${plan.faults.length} -> 2 faults in ${result.runs} runs`);
    expect(log).toContain("1-minimal");
    expect(log).toContain("signature: availability");
    expect(log.split("\n").filter((l) => /^ {2}# *\d+ /.test(l))).toHaveLength(result.steps.length);
    expect(log).toMatch(/original +3\/3 +still fails +the original plan/);
    expect(log).toMatch(/drop +0\/3 +passes +drop \d+ of \d+ faults/);
    expect(log).toMatch(/earlier +3\/3 +still fails +move all 2 faults earlier by/);
    expect(log).toMatch(/minimal plan \(2 faults\):\n {4}gen-\d+-(kill|pause) /);
  });
});
