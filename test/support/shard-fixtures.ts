import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createLogger } from "../../core/log.ts";
import type { SloResult } from "../../core/verdict.ts";
import { Scenario } from "../../scenario/scenario.ts";
import { executeSuite, type SuitePassOptions, type SuitePassResult } from "../../engine/suite/execute-suite.ts";
import { HISTORY_FILE } from "../../engine/suite/history-file.ts";
import type { SuiteEntry } from "../../engine/suite/run-suite.ts";
import type { SelectedScenario } from "../../engine/suite/select-scenarios.ts";
import type { ShardSpec } from "../../engine/suite/shard.ts";
import type { SuiteRecord } from "../../engine/suite/suite-record.ts";
import { report, runRec, suiteRec } from "./suite-records.ts";

/**
 * Suites built from recorded runs, no containers: each (scenario, repeat) has one fixed outcome and wall time, so the
 * same runs can be executed as one suite or as n shards (each on its own fake clock, in its own reports folder, like
 * machines of a CI matrix) and the results compared.
 */

/** What one run of a scenario returns, by repeat index. */
export interface RecordedScenario {
  name: string;
  expect?: "pass" | "fail";
  expectFailing?: string[];
  /** Wall time of each run, ms. */
  wallMs: number;
  /** The run's availability SLO verdict per repeat (1-based); default pass. */
  verdicts?: Record<number, "pass" | "fail" | "unknown">;
  /** Runs (by repeat) that ended in an environment error with a report (status error). */
  errors?: number[];
  p99Ms?: number;
}

export const quietLog = createLogger("test", () => undefined);

export function selected(recorded: readonly RecordedScenario[]): SelectedScenario[] {
  return recorded.map((r) => ({
    file: `scenarios/${r.name}.ts`,
    scenario: Scenario.parse({
      name: r.name,
      expect: r.expect ?? "pass",
      expectFailing: r.expectFailing ?? [],
      topology: { nodes: [{ name: "app", image: "app", ports: [80] }] },
      traffic: [{ name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app", port: 80 }, duration: "60s" }],
      secrets: ["device-key"],
      slos: [{ kind: "availability", id: "availability", traffic: "devices", atLeastPercent: 99 }],
    }),
  }));
}

/**
 * A runner that "runs" a scenario by writing its run directory and returning its recorded report, advancing the fake
 * clock by its wall time. The run id depends only on the scenario and repeat, as a recorded run's does.
 */
export function recordedRunner(recorded: readonly RecordedScenario[], clock: { nowMs: number }, started: string[] = []) {
  return async (entry: SuiteEntry, suiteDir: string): Promise<Awaited<ReturnType<SuitePassOptions["runOne"]>>> => {
    const r = recorded.find((x) => x.name === entry.scenario.name);
    if (!r) throw new Error(`no recorded run of ${entry.scenario.name}`);
    started.push(`${r.name}#${entry.repeat}`);
    const runId = `${r.name}-r${entry.repeat}`;
    const runDir = join(suiteDir, "runs", runId);
    await mkdir(runDir, { recursive: true });
    await writeFile(join(runDir, "report.html"), `<p>${runId}</p>\n`);
    const startedAt = new Date(Date.UTC(2025, 2, 1, 2, 0, 0) + entry.repeat * 3_600_000 + r.name.length * 60_000);
    clock.nowMs += r.wallMs;
    const error = r.errors?.includes(entry.repeat) === true;
    const availability = r.verdicts?.[entry.repeat] ?? "pass";
    const verdict = error ? "error" : availability;
    const slo: SloResult = { id: "availability", kind: "availability", verdict: error ? "unknown" : availability, observed: availability === "pass" ? 99.9 : 60, target: ">= 99%", unit: "%", window: null, why: `availability ${availability}` };
    return {
      runDir,
      exitCode: verdict === "pass" ? 0 : verdict === "fail" ? 1 : verdict === "error" ? 3 : 4,
      report: report({
        runId,
        scenario: r.name,
        seed: 1000 + entry.repeat,
        expect: r.expect ?? "pass",
        expectFailing: r.expectFailing ?? [],
        verdict,
        status: error ? "error" : "completed",
        reason: error ? "docker engine went away" : null,
        startedAt: startedAt.toISOString(),
        finishedAt: new Date(startedAt.getTime() + r.wallMs).toISOString(),
        durationMs: r.wallMs,
        trafficEndMs: 60_000,
        slos: [slo],
        traffic: { devices: { requests: 1000, ok: 999, fail: 1, unknown: 0, availabilityPercent: slo.observed, latencyMs: { p50: 10, p95: 50, p99: r.p99Ms ?? 100 }, causes: {}, droppedIterations: 0 } },
      }),
    };
  };
}

/** A night before: every scenario passed once, with its wall time (what --shard balances by) and a p99 of 100 ms. */
export function pastNight(recorded: readonly RecordedScenario[], wallMsOf: (r: RecordedScenario) => number = (r) => r.wallMs): SuiteRecord {
  return suiteRec({
    suiteId: "20250228-021700-nightly",
    suiteDir: "suites/20250228-021700-nightly",
    startedAt: "2025-02-28T02:17:00.000Z",
    runs: recorded.map((r) =>
      runRec({
        scenario: r.name,
        file: `scenarios/${r.name}.ts`,
        expect: r.expect ?? "pass",
        expectFailing: r.expectFailing ?? [],
        runId: `${r.name}-past`,
        runDir: `runs/${r.name}-past`,
        durationMs: wallMsOf(r),
        // A control failed its expected SLO, as designed; everything else passed.
        verdict: r.expect === "fail" ? "fail" : "pass",
        slos: [{ id: "availability", kind: "availability", verdict: r.expect === "fail" ? "fail" : "pass", observed: r.expect === "fail" ? 60 : 99.9, unit: "%", target: ">= 99%", why: "" }],
      }),
    ),
  });
}

export interface PassSetup {
  recorded: readonly RecordedScenario[];
  reportsDir: string;
  history: readonly SuiteRecord[];
  shard: ShardSpec | null;
  repeat: number;
  overrides?: Partial<SuitePassOptions>;
}

/** One suite run (whole, or one shard) as `havoc suite` runs it, in its own reports folder holding `history`. */
export async function runPass(setup: PassSetup): Promise<SuitePassResult & { started: string[] }> {
  await mkdir(setup.reportsDir, { recursive: true });
  const historyPath = join(setup.reportsDir, HISTORY_FILE);
  await writeFile(historyPath, setup.history.map((r) => JSON.stringify(r) + "\n").join(""));
  // Every machine starts at 02:17 UTC, as a CI matrix does.
  const clock = { nowMs: Date.UTC(2025, 2, 1, 2, 17, 0) };
  const started: string[] = [];
  const shardArg = setup.shard === null ? "" : ` --shard ${setup.shard.index}/${setup.shard.total}`;
  const result = await executeSuite({
    name: "nightly",
    selected: selected(setup.recorded),
    selection: { patterns: ["scenarios"], tags: [], excludeTags: [] },
    repeat: setup.repeat,
    seeds: { kind: "scenario" },
    budgetMs: null,
    baseline: null,
    tolerances: {},
    shard: setup.shard,
    reportsDir: setup.reportsDir,
    historyPath,
    history: setup.history,
    gitCommit: "0123456789abcdef0123456789abcdef01234567",
    command: `havoc suite scenarios --name nightly --repeat ${setup.repeat}${shardArg}`,
    log: quietLog,
    signal: new AbortController().signal,
    runOne: recordedRunner(setup.recorded, clock, started),
    now: () => clock.nowMs,
    ...setup.overrides,
  });
  return { ...result, started };
}
