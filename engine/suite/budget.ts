/**
 * A suite's time budget (`--budget 20m`). A run is started only when its estimated length fits in what is left,
 * so the suite ends within the budget (a CI job's timeout would kill it half-way, leaving nothing); runs that do not
 * fit are not started and the suite ends "over budget", its own exit code (see suite-verdict.ts).
 */

/** Setup, readiness, readback, reports and teardown around the traffic before any run of this suite was seen. */
export const FIRST_OVERHEAD_MS = 60_000;

/**
 * A run's expected wall time: its traffic plus the largest overhead (wall time minus traffic) seen so far in this
 * suite, FIRST_OVERHEAD_MS before the first run. The largest, not the mean: a budget is a promise.
 */
export function estimateRunMs(trafficMs: number, seenOverheadsMs: readonly number[]): number {
  const overhead = seenOverheadsMs.length === 0 ? FIRST_OVERHEAD_MS : Math.max(...seenOverheadsMs);
  return trafficMs + Math.max(0, overhead);
}

export interface BudgetCheck {
  fits: boolean;
  /** One line: what is needed and what is left. */
  why: string;
}

export function checkBudget(elapsedMs: number, budgetMs: number | null, estimateMs: number): BudgetCheck {
  if (budgetMs === null) return { fits: true, why: "no budget" };
  const leftMs = Math.max(0, budgetMs - elapsedMs);
  const why = `needs about ${formatWallTime(estimateMs)}, ${formatWallTime(leftMs)} of the ${formatWallTime(budgetMs)} budget left`;
  return { fits: estimateMs <= leftMs, why };
}

/** 92_000 -> "1m32s", 8_000 -> "8s", 3_600_000 -> "60m00s": wall times people read in a CI log. */
export function formatWallTime(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  return `${Math.floor(seconds / 60)}m${String(seconds % 60).padStart(2, "0")}s`;
}
