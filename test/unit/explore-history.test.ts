import { mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exploreScenarioFile, type ExploreCommandOptions } from "../../engine/commands/explore.ts";
import { loadBaseline } from "../../engine/suite/baseline.ts";
import { HISTORY_FILE, readSuiteHistory } from "../../engine/suite/history-file.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { repoRoot } from "../support/run-cli.ts";

// An exploration must land in the suite history as one suite, its runs built by the suite's own record code. The
// runner is simulated (a recorded report per seed, rewritten to the verdict the seed is given): no containers.

const scenarioFile = join(repoRoot, "scenarios/trackr/explore-app-overlap.ts");
const fixtureReport = join(repoRoot, "test/fixtures/runs/explore-overlap-fail/report.json");
const temps: string[] = [];
let output: string[] = [];

beforeEach(() => {
  output = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    output.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const dir of temps.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A runner whose seed decides the run: "fail" fails the outage SLO, "pass" passes all, "throw" breaks the runner. */
function fakeRunner(outcomes: Record<number, "pass" | "fail" | "throw">): NonNullable<ExploreCommandOptions["runner"]> {
  return async ({ seed, reportsDir }) => {
    const outcome = outcomes[seed!];
    if (outcome === "throw") throw new Error(`simulated runner failure at seed ${seed}`);
    const report = RunReport.parse(JSON.parse(await readFile(fixtureReport, "utf8")));
    report.seed = seed!;
    report.runId = `run-${seed}`;
    report.verdict = outcome === "fail" ? "fail" : "pass";
    if (outcome === "pass") report.slos = report.slos.map((s) => ({ ...s, verdict: "pass" as const }));
    return { runDir: join(reportsDir, "runs", `run-${seed}`), report, exitCode: outcome === "fail" ? 1 : 0 };
  };
}

async function reportsDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "havoc-explore-history-"));
  temps.push(dir);
  return dir;
}

describe("havoc explore: results join the suite history", () => {
  it("appends one suite whose runs are the seeds tried, with their verdicts", async () => {
    const dir = await reportsDir();
    const runner = fakeRunner({ 41: "fail", 42: "pass", 43: "throw", 44: "pass" });
    const exitCode = await exploreScenarioFile(scenarioFile, { runs: 4, seed: 41, reportsDir: dir, runner, argv: ["explore", "x.ts", "--runs", "4", "--seed", "41"] });
    expect(exitCode).toBe(1);

    const history = await readSuiteHistory(join(dir, HISTORY_FILE));
    expect(history.warnings).toEqual([]);
    expect(history.records).toHaveLength(1);
    const suite = history.records[0]!;
    expect(suite).toMatchObject({ name: "explore-trackr-explore-app-overlap", seeds: "consecutive", repeat: 4, outcome: "completed", verdict: "fail", exitCode: 1, command: "havoc explore x.ts --runs 4 --seed 41", notRun: [] });
    expect(suite.suiteId).toMatch(/^\d{8}-\d{6}-explore-trackr-explore-app-overlap$/);
    expect(suite.suiteDir).toMatch(/^explores\//);
    expect(suite.runs.map((r) => [r.seed, r.verdict, r.repeat])).toEqual([
      [41, "fail", 1],
      [42, "pass", 2],
      [43, "error", 3],
      [44, "pass", 4],
    ]);
    // Built by the suite's run record: SLO rows, replay command, run directory relative to the exploration's.
    expect(suite.runs[0]!.slos.find((s) => s.id === "device-longest-outage")?.verdict).toBe("fail");
    expect(suite.runs[0]!.replay).toBe(`npx havoc run ${scenarioFile} --seed 41`);
    expect(suite.runs[0]!.runDir).toBe(join("..", "..", "runs", "run-41"));
    expect(suite.runs[2]!.reason).toContain("simulated runner failure at seed 43");

    // --baseline on the reports folder reads the exploration like any night.
    expect((await loadBaseline(dir)).map((s) => s.suiteId)).toEqual([suite.suiteId]);
    const explored = JSON.parse(await readFile(join(dir, suite.suiteDir, "explore.json"), "utf8"));
    expect(explored.history).toMatchObject({ appended: true, suiteId: suite.suiteId });
  });

  it("a second exploration adds exactly one more line", async () => {
    const dir = await reportsDir();
    await exploreScenarioFile(scenarioFile, { runs: 2, seed: 1, reportsDir: dir, runner: fakeRunner({ 1: "pass", 2: "pass" }) });
    await exploreScenarioFile(scenarioFile, { runs: 3, seed: 7, reportsDir: dir, runner: fakeRunner({ 7: "pass", 8: "fail", 9: "pass" }) });
    const lines = (await readFile(join(dir, HISTORY_FILE), "utf8")).trim().split("\n");
    expect(lines).toHaveLength(2);
    const { records } = await readSuiteHistory(join(dir, HISTORY_FILE));
    expect(records[1]!.runs.map((r) => [r.seed, r.verdict])).toEqual([
      [7, "pass"],
      [8, "fail"],
      [9, "pass"],
    ]);
    // Marked against the history as a suite's runs are: the first exploration's last pass is the one compared with.
    expect(records[0]!.runs[0]!.regression).toBeNull();
    expect(records[1]!.runs[0]!.regression).toMatchObject({ against: { suiteId: records[0]!.suiteId, runId: "run-2", source: "history" }, regressed: false });
  });

  it("Ctrl-C: the run cut short is left out and the suite is recorded as interrupted (exit 130)", async () => {
    const dir = await reportsDir();
    const simulated = fakeRunner({ 3: "pass", 4: "fail", 5: "pass" });
    const runner: typeof simulated = async (options) => {
      // The signal arrives during seed 4: that run ends (as an aborted run would) and must not be counted.
      if (options.seed === 4) process.emit("SIGINT", "SIGINT");
      return simulated(options);
    };
    const exitCode = await exploreScenarioFile(scenarioFile, { runs: 3, seed: 3, reportsDir: dir, runner });
    expect(exitCode).toBe(130);
    const { records } = await readSuiteHistory(join(dir, HISTORY_FILE));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ outcome: "interrupted", exitCode: 130, repeat: 1 });
    expect(records[0]!.runs.map((r) => r.seed)).toEqual([3]);
  });

  it("a history that cannot be written turns a clean exploration into exit 3 and says so", async () => {
    const dir = await reportsDir();
    // A directory where the history file should be: the append fails.
    await mkdir(join(dir, HISTORY_FILE));
    const exitCode = await exploreScenarioFile(scenarioFile, { runs: 2, seed: 5, reportsDir: dir, runner: fakeRunner({ 5: "pass", 6: "pass" }) });
    expect(exitCode).toBe(3);
    expect(output.join("")).toContain(`history: NOT written, could not append to ${join(dir, HISTORY_FILE)}`);
  });
});
