/** Summary statistics of repeated measurements (nearest-rank percentiles: every figure is a value that occurred). */
export interface Stats {
  n: number;
  p50: number;
  p95: number;
  min: number;
  max: number;
}

/** Nearest-rank percentile of `values` (0 < p <= 100). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error("percentile of no values");
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export function stats(values: readonly number[], digits = 1): Stats {
  const round = (x: number) => Number(x.toFixed(digits));
  return { n: values.length, p50: round(percentile(values, 50)), p95: round(percentile(values, 95)), min: round(Math.min(...values)), max: round(Math.max(...values)) };
}

/** a / b rounded to 2 decimals (a ratio of medians). */
export function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : Number((a / b).toFixed(2));
}

/**
 * havoc[i] / baseline[i] for each repetition (each pair measured back to back, so slow drift of a noisy machine
 * cancels), summarised. Both arrays must be the same length.
 */
export function pairedRatios(havoc: readonly number[], baseline: readonly number[]): Stats {
  if (havoc.length !== baseline.length || havoc.length === 0) throw new Error(`paired ratios need equal, non-empty samples (${havoc.length} vs ${baseline.length})`);
  return stats(havoc.map((h, i) => h / baseline[i]!), 2);
}

/** ms since `startNs` (process.hrtime.bigint()). */
export function msSince(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

/** Runs `work` and returns its duration in ms (hrtime) with its result. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await work();
  return { ms: msSince(start), value };
}

/** "12.3 (p95 15.0, 11.2-16.4, n 20)" for console lines. */
export function describeStats(s: Stats, unit = "ms"): string {
  return `${s.p50} ${unit} (p95 ${s.p95}, ${s.min}-${s.max}, n ${s.n})`;
}
