import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { Scenario } from "../../scenario/scenario.ts";
import { checkBudget, estimateRunMs, formatWallTime } from "../../engine/suite/budget.ts";
import { planEntries, runSuite, type SuiteEntry } from "../../engine/suite/run-suite.ts";
import { suiteVerdict } from "../../engine/suite/suite-verdict.ts";
import { report, runRec } from "../support/suite-records.ts";

/**
 * The sequencing of a suite, on a fake clock with a stand-in for runScenario (pure orchestration: the real runs are
 * in test/integration/suite.test.ts).
 */

const scenario = (name: string, duration = "60s", expect: "pass" | "fail" = "pass") =>
  Scenario.parse({
    name,
    expect,
    topology: { nodes: [{ name: "app", image: "app", ports: [80] }] },
    traffic: [{ name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app", port: 80 }, duration }],
    secrets: ["device-key"],
    slos: [{ kind: "availability", id: "availability", traffic: "devices", atLeastPercent: 99 }],
  });

function fakeRunner(wallMsPerRun: number, outcomes: Record<string, "pass" | "fail"> = {}) {
  let nowMs = 0;
  const started: string[] = [];
  const runOne = async (entry: SuiteEntry) => {
    started.push(`${entry.scenario.name}#${entry.repeat}@${entry.seed ?? "-"}`);
    nowMs += wallMsPerRun;
    const verdict = outcomes[entry.scenario.name] ?? "pass";
    return {
      runDir: `/suite/runs/${entry.scenario.name}-${entry.repeat}`,
      exitCode: verdict === "pass" ? 0 : 1,
      report: report({
        runId: `${entry.scenario.name}-${entry.repeat}`,
        scenario: entry.scenario.name,
        seed: entry.seed ?? 42,
        expect: entry.scenario.expect,
        verdict,
        durationMs: wallMsPerRun,
        trafficEndMs: 60_000,
        slos: [{ id: "availability", kind: "availability", verdict, observed: verdict === "pass" ? 99.9 : 60, target: ">= 99%", unit: "%", window: null, why: "" }],
      }),
    };
  };
  return { runOne, started, now: () => nowMs };
}

const quiet = createLogger("test", () => undefined);

describe("budget", () => {
  it("estimates a run as its traffic plus the largest overhead seen so far (60 s before the first)", () => {
    expect(estimateRunMs(60_000, [])).toBe(120_000);
    expect(estimateRunMs(60_000, [25_000, 40_000, 30_000])).toBe(100_000);
    expect(checkBudget(0, null, 1e9).fits).toBe(true);
    expect(checkBudget(19 * 60_000, 20 * 60_000, 90_000)).toEqual({ fits: false, why: "needs about 1m30s, 1m00s of the 20m00s budget left" });
    expect(checkBudget(10 * 60_000, 20 * 60_000, 90_000).fits).toBe(true);
    expect(formatWallTime(8_400)).toBe("8s");
  });
});

describe("runSuite", () => {
  const a = { file: "a.ts", scenario: scenario("a") };
  const b = { file: "b.ts", scenario: scenario("b") };
  const ctl = { file: "ctl.ts", scenario: scenario("ctl", "60s", "fail") };

  it("runs every repeat of each scenario in turn, with a seed per run when asked for random seeds", async () => {
    let next = 100;
    const entries = planEntries([a, b], 2, { kind: "random" }, () => next++);
    const fake = fakeRunner(90_000);
    const result = await runSuite({ name: "t", suiteDir: "/suite", entries, repeat: 2, budgetMs: null, log: quiet, signal: new AbortController().signal, runOne: fake.runOne, now: fake.now });
    expect(fake.started).toEqual(["a#1@100", "a#2@101", "b#1@102", "b#2@103"]);
    expect(result.outcome).toBe("completed");
    expect(result.runs.map((r) => [r.scenario, r.repeat, r.seed, r.runDir])).toEqual([
      ["a", 1, 100, "runs/a-1"],
      ["a", 2, 101, "runs/a-2"],
      ["b", 1, 102, "runs/b-1"],
      ["b", 2, 103, "runs/b-2"],
    ]);
    expect(planEntries([a], 2, { kind: "fixed", seed: 7 }).map((e) => e.seed)).toEqual([7, 7]);
    expect(planEntries([a], 1, { kind: "scenario" }).map((e) => e.seed)).toEqual([undefined]);
  });

  it("starts no run that would not fit the budget and marks it and the rest not run", async () => {
    // Runs take 100 s of wall time (60 s traffic + 40 s overhead); budget 4 min: the first two fit (est. 120 s each,
    // then 100 s), the third would end at 300 s.
    const fake = fakeRunner(100_000);
    const entries = planEntries([a, b, ctl], 1, { kind: "scenario" });
    const result = await runSuite({ name: "t", suiteDir: "/suite", entries, repeat: 1, budgetMs: 240_000, log: quiet, signal: new AbortController().signal, runOne: fake.runOne, now: fake.now });
    expect(fake.started).toEqual(["a#1@-", "b#1@-"]);
    expect(result.outcome).toBe("over-budget");
    expect(result.notRun).toEqual([{ scenario: "ctl", file: "ctl.ts", repeat: 1, reason: "over-budget", why: "needs about 1m40s, 40s of the 4m00s budget left" }]);
    expect(suiteVerdict(result.runs, result.outcome)).toEqual({ verdict: "unknown", exitCode: 5 });
  });

  it("after a signal starts nothing more, and a run that throws is recorded as an error, not skipped", async () => {
    const abort = new AbortController();
    const fake = fakeRunner(90_000);
    const runOne = async (entry: SuiteEntry) => {
      if (entry.scenario.name === "a") throw new Error("docker went away");
      abort.abort("SIGTERM");
      return fake.runOne(entry);
    };
    const result = await runSuite({ name: "t", suiteDir: "/suite", entries: planEntries([a, b, ctl], 1, { kind: "scenario" }), repeat: 1, budgetMs: null, log: quiet, signal: abort.signal, runOne, now: fake.now });
    expect(result.runs.map((r) => [r.scenario, r.suiteVerdict, r.note])).toEqual([
      ["a", "error", "the run did not produce a report: docker went away"],
      ["b", "pass", ""],
    ]);
    expect(result.notRun).toEqual([{ scenario: "ctl", file: "ctl.ts", repeat: 1, reason: "interrupted", why: "suite interrupted by SIGTERM" }]);
    expect(result.outcome).toBe("interrupted");
    expect(suiteVerdict(result.runs, result.outcome, "SIGTERM").exitCode).toBe(143);
  });

  it("counts a control that fails as passed and one that passes as a failure", async () => {
    const failing = fakeRunner(90_000, { ctl: "fail" });
    const ok = await runSuite({ name: "t", suiteDir: "/s", entries: planEntries([ctl], 1, { kind: "scenario" }), repeat: 1, budgetMs: null, log: quiet, signal: new AbortController().signal, runOne: failing.runOne, now: failing.now });
    expect(ok.runs[0]).toMatchObject({ verdict: "fail", suiteVerdict: "pass", loud: false, exitCode: 1 });
    expect(suiteVerdict(ok.runs, ok.outcome)).toEqual({ verdict: "pass", exitCode: 0 });
    const passing = fakeRunner(90_000);
    const bad = await runSuite({ name: "t", suiteDir: "/s", entries: planEntries([ctl], 1, { kind: "scenario" }), repeat: 1, budgetMs: null, log: quiet, signal: new AbortController().signal, runOne: passing.runOne, now: passing.now });
    expect(bad.runs[0]).toMatchObject({ verdict: "pass", suiteVerdict: "fail", loud: true });
    expect(suiteVerdict(bad.runs, bad.outcome)).toEqual({ verdict: "fail", exitCode: 1 });
  });
});

describe("suiteVerdict (exit code contract)", () => {
  const run = (suiteVerdict: "pass" | "fail" | "unknown" | "error") => runRec({ suiteVerdict });
  it("is the worst run: 1 fail > 3 error > 5 over budget > 4 inconclusive > 0 pass", () => {
    expect(suiteVerdict([run("pass"), run("pass")], "completed")).toEqual({ verdict: "pass", exitCode: 0 });
    expect(suiteVerdict([run("pass"), run("unknown")], "completed")).toEqual({ verdict: "unknown", exitCode: 4 });
    expect(suiteVerdict([run("pass"), run("unknown")], "over-budget")).toEqual({ verdict: "unknown", exitCode: 5 });
    expect(suiteVerdict([run("error"), run("unknown")], "over-budget")).toEqual({ verdict: "error", exitCode: 3 });
    expect(suiteVerdict([run("error"), run("fail")], "over-budget")).toEqual({ verdict: "fail", exitCode: 1 });
    expect(suiteVerdict([], "completed")).toEqual({ verdict: "unknown", exitCode: 4 });
    expect(suiteVerdict([run("fail")], "interrupted", "SIGINT")).toEqual({ verdict: "fail", exitCode: 130 });
  });

  it("fails on a regression only under --baseline", () => {
    const regression = (gating: boolean) => ({ against: { suiteId: "s", runId: "r", startedAt: "", source: gating ? ("baseline" as const) : ("history" as const) }, regressed: true, findings: ["x"], gating });
    expect(suiteVerdict([runRec({ regression: regression(false) })], "completed").exitCode).toBe(0);
    expect(suiteVerdict([runRec({ regression: regression(true) })], "completed")).toEqual({ verdict: "fail", exitCode: 1 });
  });
});
