import type { SloResult, Verdict } from "../core/verdict.ts";

/**
 * Baseline vs candidate run: did the candidate get worse? Pure (two RunReports in, rows out), so CI can gate on
 * it and tests need no files. Deltas are candidate − baseline, in the metric's unit.
 */

export interface CompareOptions {
  /** An availability may drop by this many percentage points before it counts as a regression. Default 0.5. */
  availabilityTolerancePoints?: number;
  /** A latency percentile may grow by this many percent of the baseline before it counts. Default 20. */
  latencyTolerancePercent?: number;
}

/**
 * What a comparison reads of a run. A RunReport is one; so is a run kept in a suite's history file, which stores
 * only these fields, so a night can be compared with the last passing one without its run directory.
 */
export interface ComparableRun {
  runId: string;
  verdict: Verdict;
  slos: readonly Pick<SloResult, "id" | "verdict" | "observed" | "unit">[];
  traffic: Readonly<Record<string, { availabilityPercent: number | null; latencyMs: { p50: number; p95: number; p99: number } | null }>>;
}

export interface SloComparison {
  id: string;
  unit: string;
  /** null: not measured, or the SLO is missing from that run. */
  baseline: number | null;
  candidate: number | null;
  delta: number | null;
  baselineVerdict: Verdict | null;
  candidateVerdict: Verdict | null;
  regression: boolean;
  /** Why it is (or is not) a regression, one short phrase; "" when nothing is worth saying. */
  note: string;
}

export interface MetricComparison {
  baseline: number | null;
  candidate: number | null;
  delta: number | null;
  regression: boolean;
}

export interface TrafficComparison {
  traffic: string;
  /** Percent, delta in points. */
  availability: MetricComparison;
  /** ms. */
  p50: MetricComparison;
  p95: MetricComparison;
  p99: MetricComparison;
  regression: boolean;
}

export interface Comparison {
  baseline: { runId: string; verdict: Verdict };
  candidate: { runId: string; verdict: Verdict };
  /** The run verdict went from pass to fail or error. */
  verdictRegression: boolean;
  slos: SloComparison[];
  traffic: TrafficComparison[];
  regressed: boolean;
  tolerances: Required<CompareOptions>;
}

/** 2 decimals: deltas of truncated percentages and histogram percentiles carry no more precision than that. */
const round2 = (v: number) => Math.round(v * 100) / 100;

function delta(baseline: number | null, candidate: number | null): number | null {
  return baseline === null || candidate === null ? null : round2(candidate - baseline);
}

/** pass -> fail/error. pass -> unknown is not: an undecided candidate is not evidence it got worse. */
function verdictWorsened(baseline: Verdict | null, candidate: Verdict | null): boolean {
  return baseline === "pass" && (candidate === "fail" || candidate === "error");
}

/**
 * Which way is worse for an SLO's observed value, by its unit; undefined: only the verdict counts.
 * "duration" is higher-is-worse with the latency tolerance (ms wobble run to run); counts have no tolerance.
 */
function worseWhen(unit: string): "lower" | "higher" | "duration" | undefined {
  if (unit === "%") return "lower";
  if (unit === "writes" || unit === "reads" || unit === "iterations") return "higher";
  if (unit === "ms") return "duration";
  return undefined;
}

function compareSlo(id: string, b: ComparableRun["slos"][number] | undefined, c: ComparableRun["slos"][number] | undefined, tol: Required<CompareOptions>): SloComparison {
  const baseline = b?.observed ?? null;
  const candidate = c?.observed ?? null;
  const d = delta(baseline, candidate);
  const unit = c?.unit ?? b?.unit ?? "";
  const row = { id, unit, baseline, candidate, delta: d, baselineVerdict: b?.verdict ?? null, candidateVerdict: c?.verdict ?? null };
  if (!b) return { ...row, regression: false, note: "new in candidate" };
  if (!c) return { ...row, regression: false, note: "missing from candidate" };
  if (verdictWorsened(b.verdict, c.verdict)) return { ...row, regression: true, note: `verdict ${b.verdict} -> ${c.verdict}` };
  if (d === null) return { ...row, regression: false, note: "" };
  const worse = worseWhen(unit);
  // Availability gets the points tolerance; a count such as lost writes has none: one more lost write is news.
  if (worse === "lower" && d < -tol.availabilityTolerancePoints) return { ...row, regression: true, note: `dropped more than ${tol.availabilityTolerancePoints} points` };
  if (worse === "higher" && d > 0) return { ...row, regression: true, note: `rose by ${d} ${unit}` };
  // A duration grows by more than the tolerance share of the baseline (and at least one timeline second for 0 ms).
  if (worse === "duration" && baseline !== null && d > Math.max((baseline * tol.latencyTolerancePercent) / 100, baseline === 0 ? 999 : 0))
    return { ...row, regression: true, note: `rose by more than ${tol.latencyTolerancePercent}%` };
  return { ...row, regression: false, note: "" };
}

function availabilityRow(baseline: number | null, candidate: number | null, tolerancePoints: number): MetricComparison {
  const d = delta(baseline, candidate);
  return { baseline, candidate, delta: d, regression: d !== null && d < -tolerancePoints };
}

function latencyRow(baseline: number | null, candidate: number | null, tolerancePercent: number): MetricComparison {
  const d = delta(baseline, candidate);
  // Against the baseline's own value: +20 % of 10 ms is 2 ms, of 500 ms is 100 ms.
  const regression = d !== null && baseline !== null && d > (baseline * tolerancePercent) / 100;
  return { baseline, candidate, delta: d, regression };
}

/** Ids in first-seen order across both lists, so rows follow the scenario order. */
function unionInOrder(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

export function compareReports(baseline: ComparableRun, candidate: ComparableRun, options: CompareOptions = {}): Comparison {
  const tolerances: Required<CompareOptions> = {
    availabilityTolerancePoints: options.availabilityTolerancePoints ?? 0.5,
    latencyTolerancePercent: options.latencyTolerancePercent ?? 20,
  };
  const slos = unionInOrder(baseline.slos.map((s) => s.id), candidate.slos.map((s) => s.id)).map((id) =>
    compareSlo(id, baseline.slos.find((s) => s.id === id), candidate.slos.find((s) => s.id === id), tolerances),
  );
  const traffic = unionInOrder(Object.keys(baseline.traffic), Object.keys(candidate.traffic)).map((name): TrafficComparison => {
    const b = baseline.traffic[name];
    const c = candidate.traffic[name];
    const latency = (q: "p50" | "p95" | "p99") => latencyRow(b?.latencyMs?.[q] ?? null, c?.latencyMs?.[q] ?? null, tolerances.latencyTolerancePercent);
    const row = {
      traffic: name,
      availability: availabilityRow(b?.availabilityPercent ?? null, c?.availabilityPercent ?? null, tolerances.availabilityTolerancePoints),
      p50: latency("p50"),
      p95: latency("p95"),
      p99: latency("p99"),
    };
    return { ...row, regression: [row.availability, row.p50, row.p95, row.p99].some((m) => m.regression) };
  });
  const verdictRegression = verdictWorsened(baseline.verdict, candidate.verdict);
  return {
    baseline: { runId: baseline.runId, verdict: baseline.verdict },
    candidate: { runId: candidate.runId, verdict: candidate.verdict },
    verdictRegression,
    slos,
    traffic,
    regressed: verdictRegression || slos.some((s) => s.regression) || traffic.some((t) => t.regression),
    tolerances,
  };
}
