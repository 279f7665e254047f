import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { randomSeed } from "../../core/rng.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { checkBudget, estimateRunMs, formatWallTime } from "./budget.ts";
import { crashedRunRecord, runRecord } from "./run-record.ts";
import type { SelectedScenario } from "./select-scenarios.ts";
import type { NotRunRecord, ScenarioRunRecord, SuiteOutcome } from "./suite-record.ts";

/**
 * The sequential part of a suite: one run after another (two at once would share 2 cores and skew every latency),
 * each in-process through the same runner as `havoc run`, with the budget checked before each start and the
 * caller's abort signal (SIGINT/SIGTERM) passed to the run in progress, which then heals and tears down as usual.
 */

export interface SuiteEntry {
  file: string;
  scenario: Scenario;
  /** 1-based index among the repeats of this scenario. */
  repeat: number;
  /** undefined: the scenario's own seed, or one drawn by the run (recorded in its report). */
  seed: number | undefined;
}

export type SeedMode = { kind: "scenario" } | { kind: "fixed"; seed: number } | { kind: "random" };

/** Each scenario `repeat` times in a row, in selection order; --random-seeds draws one seed per run here. */
export function planEntries(selected: readonly SelectedScenario[], repeat: number, seeds: SeedMode, draw: () => number = randomSeed): SuiteEntry[] {
  return selected.flatMap(({ file, scenario }) =>
    Array.from({ length: repeat }, (_, i) => ({
      file,
      scenario,
      repeat: i + 1,
      seed: seeds.kind === "fixed" ? seeds.seed : seeds.kind === "random" ? draw() : undefined,
    })),
  );
}

/** Traffic length of a scenario (its longest class), ms. */
export function trafficMs(scenario: Scenario): number {
  return Math.max(...scenario.traffic.map((t) => t.duration));
}

export interface RunOneResult {
  runDir: string;
  report: RunReport;
  exitCode: number;
}

export interface RunSuiteOptions {
  name: string;
  suiteDir: string;
  entries: readonly SuiteEntry[];
  repeat: number;
  budgetMs: number | null;
  log: Logger;
  signal: AbortSignal;
  /** Runs one scenario (runScenario in the CLI), its run directory under the suite directory. */
  runOne: (entry: SuiteEntry, signal: AbortSignal) => Promise<RunOneResult>;
  now?: () => number;
}

export interface SuiteRunResult {
  runs: ScenarioRunRecord[];
  notRun: NotRunRecord[];
  outcome: SuiteOutcome;
}

export async function runSuite(options: RunSuiteOptions): Promise<SuiteRunResult> {
  const { entries, log, signal } = options;
  const now = options.now ?? Date.now;
  const startedMs = now();
  const runs: ScenarioRunRecord[] = [];
  const notRun: NotRunRecord[] = [];
  const overheadsMs: number[] = [];
  let outcome: SuiteOutcome = "completed";
  const tally = () => {
    const passed = runs.filter((r) => r.suiteVerdict === "pass").length;
    return `${passed} passed, ${runs.length - passed} not passed`;
  };
  for (const [index, entry] of entries.entries()) {
    const label = `suite ${options.name} [${index + 1}/${entries.length}] ${entry.scenario.name}${options.repeat > 1 ? ` (repeat ${entry.repeat}/${options.repeat})` : ""}`;
    const elapsedMs = now() - startedMs;
    if (signal.aborted) outcome = "interrupted";
    if (outcome === "completed") {
      const budget = checkBudget(elapsedMs, options.budgetMs, estimateRunMs(trafficMs(entry.scenario), overheadsMs));
      if (!budget.fits) {
        outcome = "over-budget";
        log.warn(`${label}: not started, over budget (${budget.why}); the rest are not run either`);
      }
    }
    if (outcome !== "completed") {
      notRun.push({
        scenario: entry.scenario.name,
        file: entry.file,
        repeat: entry.repeat,
        reason: outcome,
        why: outcome === "interrupted" ? `suite interrupted by ${String(signal.reason ?? "a signal")}` : checkBudget(elapsedMs, options.budgetMs, estimateRunMs(trafficMs(entry.scenario), overheadsMs)).why,
      });
      continue;
    }
    const budgetNote = options.budgetMs === null ? "" : ` of a ${formatWallTime(options.budgetMs)} budget`;
    log.info(`${label}: starting${entry.seed === undefined ? "" : `, seed ${entry.seed}`} | ${tally()} | ${formatWallTime(elapsedMs)} elapsed${budgetNote}`);
    const runStartedAt = new Date(now());
    let record: ScenarioRunRecord;
    try {
      const result = await options.runOne(entry, signal);
      record = runRecord({ file: entry.file, scenario: entry.scenario, repeat: entry.repeat, runDir: result.runDir, report: result.report, exitCode: result.exitCode }, options.suiteDir);
      overheadsMs.push(record.durationMs - record.trafficEndMs);
    } catch (error) {
      // runScenario catches its own stages' errors; reaching this means the runner itself broke. Record it and go
      // on: the next scenario may well run, and the suite must say what happened to this one.
      record = crashedRunRecord(entry.file, entry.scenario, entry.repeat, entry.seed ?? null, errorMessage(error), runStartedAt);
    }
    runs.push(record);
    const raw = record.verdict !== record.suiteVerdict ? ` (run ${record.verdict.toUpperCase()})` : "";
    const line = `${label}: ${record.suiteVerdict.toUpperCase()}${raw} in ${formatWallTime(record.durationMs)}${record.note ? `: ${record.note}` : ""}`;
    if (record.loud) log.warn(`!!! ${line}`);
    else log.info(line);
    if (record.suiteVerdict !== "pass" && record.status !== "aborted") log.info(`${label}: replay with: ${record.replay}`);
  }
  if (signal.aborted) outcome = "interrupted";
  return { runs, notRun, outcome };
}
