import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { exploreBounds, seedSensitivity, summarizeRun } from "../../engine/commands/explore.ts";
import { explore } from "../../engine/explore/explore.ts";
import { formatExploreTable } from "../../engine/explore/explore-format.ts";
import { formatShrinkLog } from "../../engine/explore/shrink-log.ts";
import { shrink } from "../../engine/explore/shrink.ts";
import { minimalScenarioSource, planOf, readFailingRun, shrinkPlanOf, versionMismatch } from "../../engine/commands/shrink.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { loadScenarioFile, parseScenario } from "../../scenario/load-scenario.ts";
import { makePlan } from "../../scenario/plan.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import overlap from "../../scenarios/trackr/explore-app-overlap.ts";
import { repoRoot, runHavoc } from "../support/run-cli.ts";

const fixture = join(repoRoot, "test/fixtures/runs/explore-overlap-fail");
const scenarioFile = join(repoRoot, "scenarios/trackr/explore-app-overlap.ts");
const temps: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), "havoc-explore-test-"));
  temps.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

const fixtureReport = async () => RunReport.parse(JSON.parse(await readFile(join(fixture, "report.json"), "utf8")));

/** The fixture run, rewritten: its plan as the current scenario draws it for its seed, then `change`. */
async function runDirWith(change: (report: RunReport) => void): Promise<string> {
  const dir = await tempDir();
  await cp(fixture, dir, { recursive: true });
  const report = await fixtureReport();
  const scenario = parseScenario(overlap, scenarioFile);
  report.plan = { seed: report.seed, faults: makePlan(scenario, report.seed).faults.map(({ id, kind, targets, atMs, healAtMs }) => ({ id, kind, targets, atMs, healAtMs })) };
  change(report);
  await writeFile(join(dir, "report.json"), JSON.stringify(report));
  return dir;
}

describe("havoc explore: arguments", () => {
  it("refuses an exploration without an end, naming the flags (exit 2)", () => {
    expect(() => exploreBounds({})).toThrow(InputError);
    expect(() => exploreBounds({})).toThrow("explore needs an end: give --runs N, --budget DURATION, or both");
    try {
      exploreBounds({ seed: 3 });
    } catch (error) {
      expect((error as InputError).exitCode).toBe(2);
    }
  });

  it("takes consecutive seeds from --seed, fresh random ones without it", () => {
    const bounds = exploreBounds({ runs: 4, seed: 41 });
    expect(bounds.maxRuns).toBe(4);
    const seeds = bounds.seeds as Iterable<number>;
    const first: number[] = [];
    for (const seed of seeds) {
      first.push(seed);
      if (first.length === 3) break;
    }
    expect(first).toEqual([41, 42, 43]);
    expect(exploreBounds({ budgetMs: 60_000 })).toEqual({ budgetMs: 60_000, seeds: "random" });
  });

  it("warns when the seed cannot change the plan", () => {
    expect(seedSensitivity(parseScenario(overlap, scenarioFile))).toBeUndefined();
    const fixed = { ...overlap, faultGenerator: undefined, faults: [{ kind: "kill", target: { names: ["app-1"] }, at: "20s", for: "5s" }] } as ScenarioInput;
    expect(seedSensitivity(parseScenario(fixed, scenarioFile))).toMatch(/every seed runs the same plan/);
  });

  it("counts a run by its verdict, failed SLOs and fault kinds", async () => {
    const summary = summarizeRun(7, await fixtureReport(), "runs/x", 65_000);
    expect(summary).toMatchObject({ seed: 7, verdict: "fail", failedSlos: ["device-longest-outage"], faultKinds: ["kill", "pause"], runDir: "runs/x" });
  });

  it("on the command line: no --runs or --budget is exit 2 before anything starts", async () => {
    const run = await runHavoc(["explore", "scenarios/trackr/explore-app-overlap.ts"], { timeoutMs: 60_000 });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("explore needs an end");
    const help = await runHavoc(["explore", "--help"], { timeoutMs: 60_000 });
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain("--runs");
  }, 120_000);
});

describe("havoc shrink: refusals", () => {
  it("refuses a directory without a run, and a run that passed (exit 2)", async () => {
    const empty = await tempDir();
    await expect(readFailingRun(empty)).rejects.toThrow("has no report.json");
    await expect(readFailingRun(join(empty, "nope"))).rejects.toThrow("does not exist");
    const passed = await runDirWith((r) => {
      r.verdict = "pass";
      for (const s of r.slos) s.verdict = "pass";
    });
    const refusal = readFailingRun(passed);
    await expect(refusal).rejects.toThrow("did not fail: it passed");
    await expect(refusal).rejects.toBeInstanceOf(InputError);
  });

  it("reads the scenario file the run recorded", async () => {
    const { report, file } = await readFailingRun(fixture);
    expect(report.verdict).toBe("fail");
    expect(file).toBe("scenarios/trackr/explore-app-overlap.ts");
  });

  it("refuses a run of another version of the scenario: another name, or a plan its seed no longer draws", async () => {
    const scenario = parseScenario(overlap, scenarioFile);
    // The fixture ran when the generator paused app-2; the file now stops it, so the seed draws another plan.
    const old = await fixtureReport();
    expect(versionMismatch(scenario, makePlan(scenario, old.seed), old)).toMatch(/now draws "gen-1-stop stop \[app-2\].*" where the run had "gen-1-pause pause \[app-2\]/);
    expect(versionMismatch(scenario, makePlan(scenario, old.seed), { ...old, scenario: "other" })).toBe('the run is of scenario "other", the file is "trackr-explore-app-overlap"');
    const same = await readFailingRun(await runDirWith(() => {}));
    expect(versionMismatch(scenario, makePlan(scenario, same.report.seed), same.report)).toBeUndefined();
  });

  it("on the command line: a passed run and another version are exit 2, nothing started", async () => {
    const passed = await runDirWith((r) => {
      r.verdict = "pass";
    });
    const a = await runHavoc(["shrink", passed], { timeoutMs: 60_000 });
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toContain("did not fail: it passed");
    const b = await runHavoc(["shrink", fixture, "--reports", await tempDir()], { timeoutMs: 60_000 });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).toContain("ran another version of the scenario");
    const c = await runHavoc(["shrink", fixture, "--repeats", "0"], { timeoutMs: 60_000 });
    expect(c.exitCode).toBe(2);
    expect(c.stderr).toContain("--repeats must be a whole number >= 1");
    const d = await runHavoc(["shrink", fixture, "--repeats", "2", "--min-failures", "3"], { timeoutMs: 60_000 });
    expect(d.exitCode).toBe(2);
    expect(d.stderr).toContain("--min-failures 3 is more than --repeats 2");
  }, 180_000);
});

describe("havoc shrink: plans and the minimal scenario", () => {
  it("turns a plan into a shrink plan and back without changing a fault", () => {
    const scenario = parseScenario(overlap, scenarioFile);
    const plan = makePlan(scenario, 0);
    expect(plan.faults.length).toBeGreaterThan(1);
    const back = planOf(shrinkPlanOf(plan), plan.seed, plan.trafficEndMs);
    expect(back.faults.map(({ id, kind, targets, atMs, healAtMs }) => ({ id, kind, targets, atMs, healAtMs }))).toEqual(plan.faults.map(({ id, kind, targets, atMs, healAtMs }) => ({ id, kind, targets, atMs, healAtMs })));
    expect(back.faults.map((f) => [f.spec.at, f.spec.for])).toEqual(plan.faults.map((f) => [f.atMs, f.healAtMs - f.atMs]));
  });

  it("writes a standalone scenario file that loads, with exactly the minimal plan and no generator", async () => {
    const scenario = parseScenario(overlap, scenarioFile);
    const plan = shrinkPlanOf(makePlan(scenario, 0));
    const minimal = { faults: plan.faults.slice(0, 2) };
    const dir = await tempDir();
    const source = minimalScenarioSource({ scenarioFile, outDir: dir, name: scenario.name, seed: 0, plan: minimal, header: ["Replay: havoc run minimal.ts"] });
    expect(source).toContain("// Replay: havoc run minimal.ts");
    await writeFile(join(dir, "minimal.ts"), source);
    const loaded = await loadScenarioFile(join(dir, "minimal.ts"));
    expect(loaded.name).toBe("trackr-explore-app-overlap-shrunk");
    expect(loaded.faultGenerator).toBeUndefined();
    const replayed = makePlan(loaded, 123);
    expect(replayed.faults.map((f) => [f.id, f.kind, f.targets, f.atMs, f.healAtMs])).toEqual(minimal.faults.map((f) => [f.id, f.kind, f.targets, f.atMs, f.healAtMs]));
  });
});

describe("faultGenerator in a scenario", () => {
  const refusal = (change: (g: Record<string, unknown>) => void): string => {
    const input = structuredClone(overlap) as unknown as { faultGenerator: Record<string, unknown> };
    change(input.faultGenerator);
    try {
      parseScenario(input, scenarioFile);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error("accepted");
  };

  it("is materialised into the explicit plan, the same for the same seed", () => {
    const scenario = parseScenario(overlap, scenarioFile);
    const plan = makePlan(scenario, 5);
    expect(plan).toEqual(makePlan(scenario, 5));
    expect(plan.faults.every((f) => /^gen-\d+-(kill|stop)$/.test(f.id))).toBe(true);
    const overlapping = Array.from({ length: 40 }, (_, seed) => makePlan(scenario, seed).faults).some((faults) => faults.some((a) => faults.some((b) => a.kind === "kill" && b.kind === "stop" && a.atMs < b.healAtMs && b.atMs < a.healAtMs)));
    expect(overlapping).toBe(true);
  });

  it("refuses a template that matches no node, naming the field", () => {
    expect(refusal((g) => ((g.mix as { fault: { target: unknown } }[])[0]!.fault.target = { role: "cache" }))).toMatch(/faultGenerator\.mix\[0\]\.fault\.target/);
  });

  it("refuses more faults at once than the limits allow, naming maxConcurrent", () => {
    const message = refusal((g) => {
      g.limits = { maxDownFraction: 0.5, protectRoles: ["db", "lb"] };
    });
    expect(message).toMatch(/faultGenerator\.maxConcurrent/);
    expect(message).toMatch(/maxConcurrent 2 cannot be reached/);
  });

  it("refuses a chaos phase that runs into the fault-free tail", () => {
    expect(refusal((g) => (g.phases = { quietStartMs: "10s", chaosEndMs: "58s" }))).toMatch(/faultGenerator\.phases\.chaosEndMs.*generated faults must heal by then/s);
  });

  it("refuses a template that sets at, which the generator chooses", () => {
    expect(refusal((g) => ((g.mix as { fault: Record<string, unknown> }[])[0]!.fault.at = "5s"))).toMatch(/faultGenerator\.mix\[0\]\.fault\.at.*chosen by the generator/s);
  });
});

describe("Ctrl-C in the loops", () => {
  it("explore stops, leaves out the run it cut short and keeps what it found", async () => {
    const abort = new AbortController();
    const result = await explore({
      seeds: [1, 2, 3, 4],
      signal: abort.signal,
      runOne: async (seed) => {
        if (seed === 3) abort.abort("SIGINT");
        return { seed, verdict: seed === 2 ? "fail" : "pass", failedSlos: seed === 2 ? ["outage"] : [], faultKinds: ["kill"], wallMs: 1 };
      },
    });
    expect(result.runs.map((r) => r.seed)).toEqual([1, 2]);
    expect(result.stoppedBy).toBe("interrupted");
    expect(result.groups).toMatchObject([{ signature: "outage @ kill", firstSeed: 2 }]);
    expect(formatExploreTable(result)).toContain("interrupted; the run under way was left out");
  });

  it("shrink stops, does not count the run it cut short and returns the best plan so far", async () => {
    const abort = new AbortController();
    const fault = (id: string, atMs: number) => ({ id, kind: "kill", targets: ["app-1"], atMs, healAtMs: atMs + 8_000, template: {} });
    let calls = 0;
    const result = await shrink({
      plan: { faults: [fault("a", 10_000), fault("b", 20_000), fault("c", 30_000)] },
      repeats: 1,
      signal: abort.signal,
      runCandidate: async () => {
        calls += 1;
        if (calls === 3) abort.abort("SIGINT");
        return { failed: true, signature: "outage" };
      },
    });
    expect(result).toMatchObject({ reproduced: true, complete: false, interrupted: true, runs: 2 });
    expect(result.plan.faults.length).toBeLessThan(3);
    expect(formatShrinkLog(result).split("\n")[0]).toContain("interrupted (not minimal)");
  });
});
