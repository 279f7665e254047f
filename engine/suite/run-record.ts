import { relative } from "node:path";
import type { Scenario } from "../../scenario/scenario.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { judgeExpectation } from "./expectation.ts";
import type { KeyFigures, ScenarioRunRecord } from "./suite-record.ts";

/** One run of a suite, as the runner hands it over: the report and where it lives. */
export interface FinishedRun {
  file: string;
  scenario: Scenario;
  repeat: number;
  runDir: string;
  report: RunReport;
  exitCode: number;
}

const worst = (values: readonly (number | null | undefined)[], pick: (a: number, b: number) => number): number | null => {
  const known = values.filter((v): v is number => typeof v === "number");
  // Two arguments only: reduce's index and array would reach Math.max as numbers too (NaN).
  return known.length === 0 ? null : known.reduce((a, b) => pick(a, b));
};

/**
 * The figures charted night after night. Failover and recovery come from the scenario's own recovery-time SLOs (its
 * spec says which is measured from the injection and which from the heal), so a figure means what its scenario
 * judges; a scenario without such an SLO has none.
 */
export function keyFigures(report: RunReport, scenario: Pick<Scenario, "slos">): KeyFigures {
  const observed = (predicate: (spec: Scenario["slos"][number]) => boolean) =>
    scenario.slos.filter(predicate).map((spec) => report.slos.find((s) => s.id === spec.id)?.observed);
  const traffic = Object.values(report.traffic);
  return {
    failoverMs: worst(observed((s) => s.kind === "recovery-time" && s.from === "inject"), Math.max),
    recoveryMs: worst(observed((s) => s.kind === "recovery-time" && s.from === "heal"), Math.max),
    longestOutageMs: worst(observed((s) => s.kind === "longest-outage"), Math.max),
    lostWrites: report.dataLoss.lost,
    p99Ms: worst(traffic.map((t) => t.latencyMs?.p99), Math.max),
    availabilityPercent: worst(traffic.map((t) => t.availabilityPercent), Math.min),
  };
}

/** `npx havoc run <file> --seed <seed>`: the same scenario, the same plan. */
export function replayCommand(file: string, seed: number | null): string {
  const quoted = /^[\w./-]+$/.test(file) ? file : `'${file.replace(/'/g, "'\\''")}'`;
  return `npx havoc run ${quoted}${seed === null ? "" : ` --seed ${seed}`}`;
}

export function runRecord(run: FinishedRun, suiteDir: string): ScenarioRunRecord {
  const { report } = run;
  const judged = judgeExpectation(report);
  return {
    scenario: report.scenario,
    file: run.file,
    tags: report.tags,
    expect: report.expect,
    expectFailing: report.expectFailing,
    repeat: run.repeat,
    runId: report.runId,
    runDir: relative(suiteDir, run.runDir),
    seed: report.seed,
    verdict: report.verdict,
    suiteVerdict: judged.verdict,
    note: judged.note,
    loud: judged.loud,
    status: report.status,
    reason: report.reason,
    exitCode: run.exitCode,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    trafficEndMs: report.trafficEndMs,
    figures: keyFigures(report, run.scenario),
    slos: report.slos.map(({ id, kind, verdict, observed, unit, target, why }) => ({ id, kind, verdict, observed, unit, target, why })),
    traffic: Object.fromEntries(Object.entries(report.traffic).map(([name, t]) => [name, { availabilityPercent: t.availabilityPercent, latencyMs: t.latencyMs }])),
    replay: replayCommand(run.file, report.seed),
    regression: null,
  };
}

/** A run that threw before it had a report (the runner itself failed): an error, never a silent gap. */
export function crashedRunRecord(file: string, scenario: Scenario, repeat: number, seed: number | null, why: string, startedAt: Date): ScenarioRunRecord {
  return {
    scenario: scenario.name,
    file,
    tags: scenario.tags,
    expect: scenario.expect,
    expectFailing: scenario.expectFailing,
    repeat,
    runId: "-",
    runDir: "",
    seed,
    verdict: "error",
    suiteVerdict: "error",
    note: `the run did not produce a report: ${why}`,
    loud: false,
    status: "error",
    reason: why,
    exitCode: 3,
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    trafficEndMs: 0,
    figures: { failoverMs: null, recoveryMs: null, longestOutageMs: null, lostWrites: null, p99Ms: null, availabilityPercent: null },
    slos: [],
    traffic: {},
    replay: replayCommand(file, seed),
    regression: null,
  };
}
