import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { minimalScenarioSource, planOf, readFailingRun, tailFor } from "../../engine/commands/shrink.ts";
import { executedPlanOf, startLines } from "../../engine/explore/executed-plan.ts";
import { shrink } from "../../engine/explore/shrink.ts";
import type { ShrinkPlan } from "../../engine/explore/shrink-plan.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { loadScenarioFile } from "../../scenario/load-scenario.ts";
import { makePlan } from "../../scenario/plan.ts";
import { repoRoot } from "../support/run-cli.ts";

// Two recorded failing runs whose faults ran later than planned:
// - trackr-drift-fail-old (written before the call times were recorded): only effect times, injectedAt / healedAt;
// - galera-drift-fail (the replay of galera's shrunk seed-5 plan on the loaded shared host): the calls too
//   (calledAt, healCalledAt); its cut, planned at 20.9 s, was called at 21.8 s.
const oldFixture = join(repoRoot, "test/fixtures/runs/trackr-drift-fail-old");
const driftFixture = join(repoRoot, "test/fixtures/runs/galera-drift-fail");
const galeraScenario = join(repoRoot, "scenarios/galera/explore-mixed-faults.ts");

const temps: string[] = [];
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** The report's plan as the shrinker sees it before anything runs. */
function plannedOf(report: RunReport): ShrinkPlan {
  return { faults: report.plan.faults.map((f) => ({ id: f.id, kind: f.kind, targets: f.targets, atMs: f.atMs, healAtMs: f.healAtMs ?? report.trafficEndMs, template: {} })) };
}

describe("shrink starts from the executed fault times", () => {
  it("takes the inject and heal calls of a recorded run whose faults drifted from the plan", async () => {
    const { report } = await readFailingRun(driftFixture);
    const planned = plannedOf(report);
    const executed = executedPlanOf(planned, report.faults);
    // Planned and executed differ in this recording, or the test proves nothing.
    expect(executed.plan.faults).not.toEqual(planned.faults);
    expect(executed.plan.faults.map((f) => [f.id, f.atMs, f.healAtMs])).toEqual([
      ["gen-0-isolate", 21775, 26452],
      ["gen-1-kill", 26512, 29498],
    ]);
    for (const fault of executed.plan.faults) {
      const ran = report.faults.find((f) => f.id === fault.id)!;
      expect(fault.atMs).toBe(Math.round(ran.calledAt!));
      expect(fault.healAtMs).toBe(Math.round(ran.healCalledAt!));
    }
    expect(executed.fallbacks).toEqual([]);
    expect(executed.drifts.length).toBeGreaterThan(0);
    expect(startLines(executed)[0]).toContain(`${executed.drifts.length} of ${planned.faults.length} fault(s) ran off plan`);
  });

  it("takes a few ms of timer jitter as the exact times but does not call it a drift", () => {
    // Recorded on the quiet host (trackr explore seed 2): calls 23 ms and 1 ms after the plan, which the log's 0.1 s
    // figures showed as "planned 20.6-30.6 s, ran 20.6-30.6 s" under "2 of 3 fault(s) ran off plan".
    const planned: ShrinkPlan = {
      faults: [
        { id: "gen-0-kill", kind: "kill", targets: ["app-1"], atMs: 20602, healAtMs: 30599, template: {} },
        { id: "gen-1-stop", kind: "stop", targets: ["app-2"], atMs: 26779, healAtMs: 39195, template: {} },
        { id: "gen-2-kill", kind: "kill", targets: ["app-1"], atMs: 32311, healAtMs: 45782, template: {} },
      ],
    };
    const executed = executedPlanOf(planned, [
      { id: "gen-0-kill", calledAt: 20625, injectedAt: 20680, healCalledAt: 30599, healedAt: 31313 },
      { id: "gen-1-stop", calledAt: 26779, injectedAt: 26838, healCalledAt: 39196, healedAt: 39783 },
      { id: "gen-2-kill", calledAt: 32311, injectedAt: 32370, healCalledAt: 45882, healedAt: 46349 },
    ]);
    expect(executed.plan.faults.map((f) => [f.id, f.atMs, f.healAtMs])).toEqual([
      ["gen-0-kill", 20625, 30599],
      ["gen-1-stop", 26779, 39196],
      ["gen-2-kill", 32311, 45882],
    ]);
    // 100 ms off is reported (the third heal, made up for this case); 23 ms and 1 ms are not.
    expect(executed.drifts).toEqual(["gen-2-kill planned 32.3-45.8 s, ran 32.3-45.9 s"]);
    expect(startLines(executed)[0]).toContain("1 of 3 fault(s) ran off plan");
  });

  it("rebuilds the calls as the scheduler made them when an older report has only effect times, and says so", async () => {
    const { report } = await readFailingRun(oldFixture);
    expect(report.faults.every((f) => f.calledAt === undefined && f.healCalledAt === undefined)).toBe(true);
    const planned = plannedOf(report);
    const executed = executedPlanOf(planned, report.faults);
    // Recorded (seed 101 of explore-app-overlap on the shared host): app-2, stopped at 11.2 s, was ready again only at
    // 37.1 s (heal due at 23.0 s), so the second stop planned at 26.5 s came at 37.1 s and the kill's heal (due at
    // 32.3 s) after it; the second stop's heal (due at 36.1 s) waited for app-1 to be ready at 45.7 s.
    expect(executed.plan.faults.map((f) => [f.id, f.atMs, f.healAtMs])).toEqual([
      ["gen-0-stop", 11166, 22950],
      ["gen-1-kill", 19407, 37448],
      ["gen-2-stop", 37124, 45683],
    ]);
    expect(executed.drifts).toEqual(["gen-1-kill planned 19.4-32.3 s, ran 19.4-37.4 s", "gen-2-stop planned 26.5-36.1 s, ran 37.1-45.7 s"]);
    const lines = startLines(executed).join("\n");
    expect(lines).toContain("gen-2-stop: inject call rebuilt at 37.1 s (planned 26.5 s, effect 37.4 s): the report has no inject call time");
    expect(lines).toContain("gen-2-stop: heal call rebuilt at 45.7 s (planned 36.1 s): the report has no heal call time");

    // A fault the run never injected keeps its planned times, and the log says so.
    const partial = executedPlanOf(planned, report.faults.slice(0, 2));
    expect(partial.plan.faults[2]).toMatchObject({ atMs: 26492, healAtMs: 36092 });
    expect(partial.fallbacks.join("\n")).toContain("gen-2-stop: not in the run's faults (never injected): planned times 26.5-36.1 s");
  });

  it("replays the executed times: the shrinker's first candidate and the written minimal.ts both run them", async () => {
    const { report } = await readFailingRun(driftFixture);
    // The run replayed two of seed 5's faults at the times in its plan: the same faults, with their own fields.
    const scenario = await loadScenarioFile(galeraScenario);
    const drawn = makePlan(scenario, report.seed).faults;
    const planned: ShrinkPlan = {
      faults: report.plan.faults.map((p) => {
        const f = drawn.find((d) => d.id === p.id)!;
        return { id: f.id, kind: f.kind, targets: [...p.targets], atMs: p.atMs, healAtMs: p.healAtMs!, template: f.spec };
      }),
    };
    const original = { trafficEndMs: report.trafficEndMs };
    const executed = executedPlanOf(planned, report.faults);
    const wanted = executed.plan.faults.map((f) => [f.id, f.atMs, f.healAtMs]);

    const seen: ShrinkPlan[] = [];
    await shrink({ plan: executed.plan, repeats: 1, budget: { runs: 1 }, runCandidate: async (plan) => (seen.push(plan), { failed: true, signature: "x" }) });
    expect(seen[0]!.faults.map((f) => [f.id, f.atMs, f.healAtMs])).toEqual(wanted);
    // What the runner gets for that candidate: the executed times, as explicit at / for.
    const runnerPlan = planOf(seen[0]!, report.seed, original.trafficEndMs);
    expect(runnerPlan.faults.map((f) => [f.id, f.atMs, f.healAtMs])).toEqual(wanted);

    const dir = await mkdtemp(join(tmpdir(), "havoc-shrink-executed-"));
    temps.push(dir);
    await writeFile(join(dir, "minimal.ts"), minimalScenarioSource({ scenarioFile: galeraScenario, outDir: dir, name: scenario.name, seed: report.seed, plan: executed.plan, header: [] }));
    const replayed = makePlan(await loadScenarioFile(join(dir, "minimal.ts")), 1);
    expect(replayed.faults.map((f) => [f.id, f.atMs, f.healAtMs])).toEqual(wanted);
  });
});

describe("executed heals inside the fault-free tail", () => {
  it("gives the written scenario a tail short enough for them, so minimal.ts still loads", async () => {
    // pgha seed 3 as it failed in its exploration: the primary's kill, planned at 33.7 s, came at 42.5 s, and the
    // heals due by then followed it, past the 20 s tail of its 60 s of traffic (faults must heal by 40 s).
    const file = join(repoRoot, "scenarios/pgha/explore-mixed-faults.ts");
    const scenario = await loadScenarioFile(file);
    const drawn = makePlan(scenario, 3);
    const times: Record<string, [number, number]> = { "gen-0-kill": [21_369, 31_710], "gen-1-pause": [24_708, 44_150], "gen-2-kill": [42_500, 44_200] };
    const plan: ShrinkPlan = { faults: drawn.faults.map((f) => ({ id: f.id, kind: f.kind, targets: [...f.targets], atMs: times[f.id]![0], healAtMs: times[f.id]![1], template: f.spec })) };
    expect(tailFor(plan, drawn.trafficEndMs, scenario.tail)).toBe(drawn.trafficEndMs - 44_200);
    expect(tailFor({ faults: plan.faults.slice(0, 1) }, drawn.trafficEndMs, scenario.tail)).toBeUndefined();

    const dir = await mkdtemp(join(tmpdir(), "havoc-shrink-tail-"));
    temps.push(dir);
    await writeFile(join(dir, "minimal.ts"), minimalScenarioSource({ scenarioFile: file, outDir: dir, name: scenario.name, seed: 3, plan, header: [], tailMs: tailFor(plan, drawn.trafficEndMs, scenario.tail) }));
    const loaded = await loadScenarioFile(join(dir, "minimal.ts"));
    expect(makePlan(loaded, 3).faults.map((f) => [f.id, f.atMs, f.healAtMs])).toEqual(plan.faults.map((f) => [f.id, f.atMs, f.healAtMs]));

    // A heal after the end of traffic was the final heal: the plan heals at the end.
    const late = executedPlanOf({ faults: plan.faults.slice(2) }, [{ id: "gen-2-kill", calledAt: 42_500, injectedAt: 42_600, healCalledAt: 61_000, healedAt: 70_000 }], drawn.trafficEndMs);
    expect(late.plan.faults[0]).toMatchObject({ atMs: 42_500, healAtMs: drawn.trafficEndMs });
    expect(late.fallbacks).toEqual([`gen-2-kill: heal at 61.0 s is after the end of traffic: ${(drawn.trafficEndMs / 1000).toFixed(1)} s`]);
  });
});
