import { randomSeed } from "../../core/rng.ts";
import { failureSignature } from "./signature.ts";

/** One run as the explore loop sees it. */
export interface RunSummary {
  seed: number;
  verdict: "pass" | "fail" | "error" | "unknown";
  /** Ids of the SLOs that failed. */
  failedSlos: string[];
  /** Kinds of the plan's faults. */
  faultKinds: string[];
  runDir?: string | undefined;
  wallMs: number;
  /** Why the run errored, when runOne threw. */
  error?: string | undefined;
}

/** Failed runs that share a signature. */
export interface FailureGroup {
  signature: string;
  failedSlos: string[];
  faultKinds: string[];
  count: number;
  firstSeed: number;
  seeds: number[];
  runDirs: string[];
}

export interface ExploreProgress {
  runsDone: number;
  failures: number;
  /** Runs that errored or could not be judged: they say nothing about the system. */
  undecided: number;
  groups: { signature: string; count: number }[];
  elapsedMs: number;
  /** null until time has passed. */
  runsPerHour: number | null;
  last: RunSummary;
  /** One line for the console. */
  line: string;
}

export interface ExploreResult {
  runs: RunSummary[];
  failures: number;
  undecided: number;
  /** By count, most frequent first (ties: earliest first seed). */
  groups: FailureGroup[];
  wallMs: number;
  runsPerHour: number | null;
  /** Why the loop ended. */
  stoppedBy: "seeds" | "maxRuns" | "budget" | "interrupted";
}

export interface ExploreOptions {
  runOne(seed: number): Promise<RunSummary>;
  /** Seeds in order, or "random" (fresh seeds, never one twice; needs maxRuns or budgetMs). */
  seeds: Iterable<number> | "random";
  maxRuns?: number;
  /** No run starts once this much wall time has passed (a run under way finishes). */
  budgetMs?: number;
  now?: () => number;
  onProgress?(progress: ExploreProgress): void;
  /**
   * Ctrl-C: no run starts once it is aborted, and the run it cut short is left out (it says nothing about the
   * system); the result is what was found so far, stoppedBy "interrupted".
   */
  signal?: AbortSignal;
  /** Seed source for "random"; default core/rng's randomSeed. */
  randomSeed?: () => number;
}

/** Runs seeds one after another and groups the failures by signature: the loop that finds which overlaps break a system. */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const now = options.now ?? Date.now;
  if (options.seeds === "random" && options.maxRuns === undefined && options.budgetMs === undefined) {
    throw new Error('explore: seeds "random" never run out; give maxRuns or budgetMs');
  }
  if (options.maxRuns !== undefined && !(Number.isInteger(options.maxRuns) && options.maxRuns >= 0)) throw new Error(`explore: maxRuns must be a whole number >= 0; got ${options.maxRuns}`);
  const startMs = now();
  const runs: RunSummary[] = [];
  const groups = new Map<string, FailureGroup>();
  const seeds = options.seeds === "random" ? randomSeeds(options.randomSeed ?? randomSeed) : options.seeds[Symbol.iterator]();
  let stoppedBy: ExploreResult["stoppedBy"] = "seeds";

  for (;;) {
    if (options.signal?.aborted) {
      stoppedBy = "interrupted";
      break;
    }
    if (options.maxRuns !== undefined && runs.length >= options.maxRuns) {
      stoppedBy = "maxRuns";
      break;
    }
    if (options.budgetMs !== undefined && now() - startMs >= options.budgetMs) {
      stoppedBy = "budget";
      break;
    }
    const next = seeds.next();
    if (next.done) break;
    const summary = await runSafely(options.runOne, next.value, now);
    if (options.signal?.aborted) {
      stoppedBy = "interrupted";
      break;
    }
    runs.push(summary);
    if (summary.verdict === "fail") addFailure(groups, summary);
    if (options.onProgress) options.onProgress(progressOf(runs, groups, now() - startMs, summary));
  }
  const wallMs = now() - startMs;
  return {
    runs,
    failures: runs.filter((r) => r.verdict === "fail").length,
    undecided: runs.filter((r) => r.verdict === "error" || r.verdict === "unknown").length,
    groups: sortedGroups(groups),
    wallMs,
    runsPerHour: perHour(runs.length, wallMs),
    stoppedBy,
  };
}

function* randomSeeds(draw: () => number): Iterator<number> {
  const seen = new Set<number>();
  for (;;) {
    const seed = draw();
    if (seen.has(seed)) continue;
    seen.add(seed);
    yield seed;
  }
}

/** A run that throws is an error run, not the end of the exploration: the next seed may still find something. */
async function runSafely(runOne: ExploreOptions["runOne"], seed: number, now: () => number): Promise<RunSummary> {
  const startMs = now();
  try {
    return await runOne(seed);
  } catch (error) {
    return { seed, verdict: "error", failedSlos: [], faultKinds: [], wallMs: now() - startMs, error: error instanceof Error ? error.message : String(error) };
  }
}

function addFailure(groups: Map<string, FailureGroup>, run: RunSummary): void {
  const signature = failureSignature(run.failedSlos, run.faultKinds);
  const group = groups.get(signature) ?? {
    signature,
    failedSlos: [...new Set(run.failedSlos)].sort(),
    faultKinds: [...new Set(run.faultKinds)].sort(),
    count: 0,
    firstSeed: run.seed,
    seeds: [],
    runDirs: [],
  };
  group.count += 1;
  group.seeds.push(run.seed);
  if (run.runDir !== undefined) group.runDirs.push(run.runDir);
  groups.set(signature, group);
}

function sortedGroups(groups: Map<string, FailureGroup>): FailureGroup[] {
  // Insertion order is first-seen order, and sort is stable.
  return [...groups.values()].sort((a, b) => b.count - a.count);
}

function perHour(runs: number, wallMs: number): number | null {
  return wallMs > 0 ? (runs * 3_600_000) / wallMs : null;
}

function progressOf(runs: readonly RunSummary[], groups: Map<string, FailureGroup>, elapsedMs: number, last: RunSummary): ExploreProgress {
  const failures = runs.filter((r) => r.verdict === "fail").length;
  const undecided = runs.filter((r) => r.verdict === "error" || r.verdict === "unknown").length;
  const bySignature = sortedGroups(groups).map((g) => ({ signature: g.signature, count: g.count }));
  const runsPerHour = perHour(runs.length, elapsedMs);
  const rate = runsPerHour === null ? "- runs/h" : `${runsPerHour.toFixed(1)} runs/h`;
  const lastText = `seed ${last.seed} ${last.verdict.toUpperCase()}${last.verdict === "fail" ? ` (${failureSignature(last.failedSlos, last.faultKinds)})` : ""}`;
  const signatures = bySignature.length === 0 ? "" : `: ${bySignature.map((g) => `${g.signature} x${g.count}`).join("; ")}`;
  const line = `explore: ${runs.length} runs, ${failures} failed${undecided > 0 ? `, ${undecided} undecided` : ""}${signatures}; ${rate}; last ${lastText}`;
  return { runsDone: runs.length, failures, undecided, groups: bySignature, elapsedMs, runsPerHour, last, line };
}
