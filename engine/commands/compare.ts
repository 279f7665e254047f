import { existsSync } from "node:fs";
import { ExitCode, InputError } from "../../core/errors.ts";
import { compareReports, type Comparison, type MetricComparison } from "../../judge/compare.ts";
import { formatObserved } from "../../core/format.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { loadRunDir } from "../../reports/rerender.ts";

/** The flags as typed on the command line; validated here so the CLI only passes them through. */
export interface CompareFlags {
  tolerancePoints?: string | undefined;
  latencyTolerancePercent?: string | undefined;
}

function parseTolerance(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new InputError(`--${flag} must be a number >= 0, got "${text}"`);
  return value;
}

async function loadReport(role: string, runDir: string): Promise<RunReport> {
  if (!existsSync(runDir)) throw new InputError(`${role} run ${runDir} does not exist`);
  const loaded = await loadRunDir(runDir);
  // A partial report still compares (traffic, faults), but the reader must know its SLOs were never judged.
  if (loaded.incomplete) process.stderr.write(`havoc: ${role} run ${runDir} did not finish: its SLOs were not judged\n`);
  return loaded.report;
}

/** Fixed-width columns, two spaces apart; the last column is not padded (no trailing blanks). */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

const signed = (v: number | null, suffix = "") => (v === null ? "n/a" : `${v > 0 ? "+" : ""}${v}${suffix}`);
const ms = (v: number | null) => (v === null ? "n/a" : `${v} ms`);
const pct = (v: number | null) => formatObserved(v, "%");
const flag = (regression: boolean, note = "") => (regression ? `REGRESSION${note ? ` (${note})` : ""}` : note);

export function renderComparison(c: Comparison): string {
  const t = c.tolerances;
  const out = [
    `baseline  ${c.baseline.runId}  ${c.baseline.verdict.toUpperCase()}`,
    `candidate ${c.candidate.runId}  ${c.candidate.verdict.toUpperCase()}${c.verdictRegression ? "  REGRESSION (verdict)" : ""}`,
    `tolerances: availability may drop ${t.availabilityTolerancePoints} points, latency may grow ${t.latencyTolerancePercent}%`,
    "",
  ];
  const sloRows = c.slos.map((s) => [
    s.id,
    `${s.baselineVerdict ?? "-"} -> ${s.candidateVerdict ?? "-"}`,
    formatObserved(s.baseline, s.unit),
    formatObserved(s.candidate, s.unit),
    // A difference of percentages is in points, not percent.
    signed(s.delta, s.unit === "%" ? " pts" : s.unit ? ` ${s.unit}` : ""),
    flag(s.regression, s.note),
  ]);
  out.push(...(sloRows.length > 0 ? table(["SLO", "verdict", "baseline", "candidate", "delta", "regression"], sloRows) : ["(no SLOs in either run)"]), "");
  const metric = (name: string, m: MetricComparison, show: (v: number | null) => string, unit: string) => [name, show(m.baseline), show(m.candidate), signed(m.delta, unit), flag(m.regression)];
  const trafficRows = c.traffic.flatMap((tr) => [
    [tr.traffic, ...metric("availability", tr.availability, pct, " pts")],
    ["", ...metric("p50", tr.p50, ms, " ms")],
    ["", ...metric("p95", tr.p95, ms, " ms")],
    ["", ...metric("p99", tr.p99, ms, " ms")],
  ]);
  out.push(...(trafficRows.length > 0 ? table(["traffic", "metric", "baseline", "candidate", "delta", "regression"], trafficRows) : ["(no traffic in either run)"]), "");
  // Last, so it is what a CI log tail shows.
  out.push(c.regressed ? "result: REGRESSED (exit 1)" : "result: no regression (exit 0)");
  return out.join("\n") + "\n";
}

/**
 * `havoc compare <baseline-run> <candidate-run>`: exit 1 when the candidate regressed, 0 when not, 2 on bad
 * input (a directory without a run, a malformed report, a bad tolerance).
 */
export async function compareCommand(baselineDir: string, candidateDir: string, flags: CompareFlags = {}): Promise<number> {
  let comparison: Comparison;
  try {
    const availabilityTolerancePoints = parseTolerance("tolerance-points", flags.tolerancePoints);
    const latencyTolerancePercent = parseTolerance("latency-tolerance-percent", flags.latencyTolerancePercent);
    const baseline = await loadReport("baseline", baselineDir);
    const candidate = await loadReport("candidate", candidateDir);
    comparison = compareReports(baseline, candidate, {
      ...(availabilityTolerancePoints !== undefined ? { availabilityTolerancePoints } : {}),
      ...(latencyTolerancePercent !== undefined ? { latencyTolerancePercent } : {}),
    });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    process.stderr.write(`havoc: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    return ExitCode.invalidInput;
  }
  process.stdout.write(renderComparison(comparison));
  return comparison.regressed ? ExitCode.sloFailed : ExitCode.pass;
}
