import type { SloResult } from "../../core/verdict.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { ScenarioRunRecord, SuiteRecord } from "../../engine/suite/suite-record.ts";

/** Hand-made reports and suite records for the suite's unit tests (no Docker). */

export function slo(id: string, verdict: SloResult["verdict"], observed: number | null = null, unit = "%", kind = "availability"): SloResult {
  return { id, kind, verdict, observed, target: "-", unit, window: null, why: `${id} ${verdict}` };
}

export function report(overrides: Partial<RunReport> = {}): RunReport {
  return RunReport.parse({
    schemaVersion: 1,
    runId: "run-1",
    scenario: "demo",
    description: "",
    seed: 1,
    startedAt: "2025-01-01T10:00:00.000Z",
    finishedAt: "2025-01-01T10:01:30.000Z",
    durationMs: 90_000,
    trafficEndMs: 60_000,
    verdict: "pass",
    exitCode: 0,
    status: "completed",
    reason: null,
    slos: [slo("availability", "pass", 99.9), slo("no-lost-writes", "pass", 0, "writes", "lost-writes")],
    faults: [],
    dataLoss: { acknowledged: 100, unknown: 0, stored: 100, lost: 0, recovered: 0, failedStored: 0, unexpected: 0, lostSample: [], unexpectedSample: [], byTraffic: {} },
    traffic: { devices: { requests: 1000, ok: 999, fail: 1, unknown: 0, availabilityPercent: 99.9, latencyMs: { p50: 10, p95: 50, p99: 100 }, causes: {}, droppedIterations: 0 } },
    plan: { seed: 1, faults: [] },
    containerEvents: 0,
    artifacts: [],
    ...overrides,
  });
}

export function runRec(overrides: Partial<ScenarioRunRecord> = {}): ScenarioRunRecord {
  return ScenarioRunRecord.parse({
    scenario: "demo",
    file: "scenarios/demo.ts",
    tags: [],
    expect: "pass",
    expectFailing: [],
    repeat: 1,
    runId: "run-1",
    runDir: "runs/run-1",
    seed: 1,
    verdict: "pass",
    suiteVerdict: "pass",
    note: "",
    loud: false,
    status: "completed",
    reason: null,
    exitCode: 0,
    startedAt: "2025-01-01T10:00:00.000Z",
    durationMs: 90_000,
    trafficEndMs: 60_000,
    figures: { failoverMs: 2_000, recoveryMs: null, longestOutageMs: 1_000, lostWrites: 0, p99Ms: 100, availabilityPercent: 99.9 },
    slos: [
      { id: "availability", kind: "availability", verdict: "pass", observed: 99.9, unit: "%", target: ">= 99%", why: "ok" },
      { id: "no-lost-writes", kind: "lost-writes", verdict: "pass", observed: 0, unit: "writes", target: "<= 0", why: "ok" },
    ],
    traffic: { devices: { availabilityPercent: 99.9, latencyMs: { p50: 10, p95: 50, p99: 100 } } },
    replay: "npx havoc run scenarios/demo.ts --seed 1",
    regression: null,
    ...overrides,
  });
}

export function suiteRec(overrides: Partial<SuiteRecord> = {}): SuiteRecord {
  return SuiteRecord.parse({
    schemaVersion: 1,
    suiteId: "20250101-100000-nightly",
    name: "nightly",
    startedAt: "2025-01-01T10:00:00.000Z",
    finishedAt: "2025-01-01T10:05:00.000Z",
    durationMs: 300_000,
    gitCommit: null,
    command: "havoc suite scenarios",
    selection: { patterns: ["scenarios"], tags: [], excludeTags: [] },
    repeat: 1,
    seeds: "scenario",
    budgetMs: null,
    baseline: null,
    verdict: "pass",
    exitCode: 0,
    outcome: "completed",
    suiteDir: "suites/20250101-100000-nightly",
    runs: [runRec()],
    notRun: [],
    ...overrides,
  });
}
