import { mkdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { CompareOptions } from "../../judge/compare.ts";
import { formatWallTime } from "./budget.ts";
import { aggregateFlakiness, type ScenarioFlakiness } from "./flakiness.ts";
import { appendSuiteRecord } from "./history-file.ts";
import { markRegressions } from "./regression.ts";
import { planEntries, runSuite, type RunOneResult, type SeedMode, type SuiteEntry } from "./run-suite.ts";
import type { SelectedScenario } from "./select-scenarios.ts";
import { SHARD_FILE, writeShardFile, type ShardFile } from "./shard-file.ts";
import { checkShardCount, lastWallTimesMs, partitionUnits, type Partition, type ShardSpec, type ShardUnit } from "./shard.ts";
import { newSuiteId } from "./suite-id.ts";
import type { SuiteRecord } from "./suite-record.ts";
import { suiteVerdict } from "./suite-verdict.ts";
import { pointLatestSuite, writeSuiteReports } from "./write-suite-reports.ts";

/**
 * One suite run from the selected scenarios to its written directory: plan, (with --shard) this machine's share,
 * the runs one after another, regression marks, verdict, history line, reports. The CLI passes runScenario as
 * `runOne`; tests pass recorded runs, so "a sharded suite merged equals the suite run whole" is checked on this very
 * code without containers.
 */

export interface SuitePassOptions {
  name: string;
  selected: readonly SelectedScenario[];
  /** As typed, for the record. */
  selection: SuiteRecord["selection"];
  repeat: number;
  seeds: SeedMode;
  budgetMs: number | null;
  /** --baseline: the path given and its records; null compares with the history (marks only). */
  baseline: { path: string; records: readonly SuiteRecord[] } | null;
  tolerances: CompareOptions;
  /** --shard i/n, or null for the whole suite. */
  shard: ShardSpec | null;
  reportsDir: string;
  /** The history file (havoc-results/suite-history.ndjson) and its records before this suite, oldest first. */
  historyPath: string;
  history: readonly SuiteRecord[];
  gitCommit: string | null;
  /** The command line, recorded. */
  command: string;
  log: Logger;
  signal: AbortSignal;
  /** Runs one scenario with its run directory under `suiteDir` (runScenario with reportsDir = suiteDir in the CLI). */
  runOne: (entry: SuiteEntry, suiteDir: string, signal: AbortSignal) => Promise<RunOneResult>;
  /** Clock, ms since the epoch (tests pass a fake one). */
  now?: () => number;
  /** --random-seeds draws here (tests pass a counter). */
  drawSeed?: () => number;
}

export interface SuitePassResult {
  suite: SuiteRecord;
  suiteDir: string;
  flakiness: ScenarioFlakiness[];
  /** Files that could not be written (a reporter, the history line, shard.json): the suite must not read as passed. */
  failures: string[];
}

/** The whole plan as units (scenario file x repeat index), in plan order. */
export function unitsOf(entries: readonly SuiteEntry[]): ShardUnit[] {
  return entries.map((e) => ({ scenario: e.scenario.name, file: e.file, repeat: e.repeat }));
}

export async function executeSuite(o: SuitePassOptions): Promise<SuitePassResult> {
  const { log, shard } = o;
  const now = o.now ?? Date.now;
  const entries = planEntries(o.selected, o.repeat, o.seeds, o.drawSeed);
  let mine: SuiteEntry[] = entries;
  let partition: Partition | null = null;
  if (shard !== null) {
    checkShardCount(shard, entries.length, o.selected.length, o.repeat);
    partition = partitionUnits(unitsOf(entries), shard.total, lastWallTimesMs(o.history));
    const shardOf = partition.shardOf;
    // Plan order within the shard: the same relative order as the suite run whole.
    mine = entries.filter((_, i) => shardOf[i] === shard.index);
  }
  const startedAt = new Date(now());
  const suiteId = newSuiteId(o.name, startedAt, shard);
  const suiteDir = join(o.reportsDir, "suites", suiteId);
  await mkdir(suiteDir, { recursive: true });
  const label = shard === null ? o.name : `${o.name} shard ${shard.index}/${shard.total}`;
  log.info(
    `suite ${label}: ${o.selected.length} scenario(s) x ${o.repeat} = ${entries.length} run(s)` +
      (partition === null || shard === null ? "" : `, ${mine.length} on this shard (${describePartition(partition, shard)})`) +
      `: ${[...new Set(mine.map((e) => e.scenario.name))].join(", ")}` +
      `${o.budgetMs === null ? "" : `; budget ${formatWallTime(o.budgetMs)}`}; reports in ${relative(process.cwd(), suiteDir) || suiteDir}`,
  );

  const result = await runSuite({
    name: label,
    suiteDir,
    entries: mine,
    repeat: o.repeat,
    budgetMs: o.budgetMs,
    log,
    signal: o.signal,
    runOne: (entry, signal) => o.runOne(entry, suiteDir, signal),
    now,
  });
  // Each run pointed <suite dir>/latest at itself; index.html links every run, and a symlink would make an uploaded
  // artifact hold the last run twice.
  await rm(join(suiteDir, "latest"), { force: true });

  const runs = markRegressions(result.runs, o.baseline?.records ?? o.history, o.baseline ? "baseline" : "history", o.tolerances);
  const signal = o.signal.aborted ? (o.signal.reason === "SIGTERM" ? "SIGTERM" : "SIGINT") : null;
  const { verdict, exitCode } = suiteVerdict(runs, result.outcome, signal);
  const finishedAt = new Date(now());
  const suite: SuiteRecord = {
    schemaVersion: 1,
    suiteId,
    name: o.name,
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    gitCommit: o.gitCommit,
    command: o.command,
    selection: o.selection,
    repeat: o.repeat,
    seeds: o.seeds.kind,
    budgetMs: o.budgetMs,
    baseline: o.baseline?.path ?? null,
    verdict,
    exitCode,
    outcome: result.outcome,
    suiteDir: relative(o.reportsDir, suiteDir),
    runs,
    notRun: result.notRun,
  };
  const flakiness = aggregateFlakiness(runs);
  const failures: string[] = [];
  // A shard is part of a night, not a night: only the merge appends (one line per suite, however it was split).
  if (shard === null) {
    // History first, so the copy in the suite directory includes this night.
    await appendSuiteRecord(o.historyPath, suite).catch((error: unknown) => {
      failures.push(o.historyPath);
      log.warn(`could not append to ${o.historyPath}: ${errorMessage(error)}`);
    });
  }
  const files = await writeSuiteReports(suiteDir, suite, flakiness, o.history, o.historyPath, log);
  failures.push(...files.failures.map((f) => f.file));
  if (shard !== null && partition !== null) {
    const shardFile = shardRecord(o, suite, shard, partition, unitsOf(entries), unitsOf(mine));
    await writeShardFile(suiteDir, shardFile).catch((error: unknown) => {
      failures.push(SHARD_FILE);
      log.warn(`could not write ${join(suiteDir, SHARD_FILE)}: ${errorMessage(error)}`);
    });
  }
  await pointLatestSuite(o.reportsDir, suiteDir).catch(() => undefined);
  return { suite, suiteDir, flakiness, failures };
}

function describePartition(partition: Partition, shard: ShardSpec): string {
  const fmt = (load: number) => (partition.balancedBy === "count" ? `${load} run(s)` : formatWallTime(load));
  const loads = partition.loads.map((load, i) => (i + 1 === shard.index ? `[${fmt(load)}]` : fmt(load))).join(", ");
  return partition.balancedBy === "count" ? `no wall time recorded, split by count: ${loads}` : `balanced by last wall times, predicted ${loads}`;
}

function shardRecord(o: SuitePassOptions, suite: SuiteRecord, shard: ShardSpec, partition: Partition, plan: readonly ShardUnit[], units: readonly ShardUnit[]): ShardFile {
  return {
    schemaVersion: 1,
    shard: { index: shard.index, total: shard.total },
    suiteId: suite.suiteId,
    name: suite.name,
    command: suite.command,
    gitCommit: suite.gitCommit,
    selection: suite.selection,
    repeat: suite.repeat,
    seeds: suite.seeds,
    budgetMs: suite.budgetMs,
    baseline: suite.baseline,
    tolerances: { ...o.tolerances },
    history: { suites: o.history.length, lastSuiteId: o.history.at(-1)?.suiteId ?? null },
    balancedBy: partition.balancedBy,
    plan: plan.map((u, i) => ({ ...u, shard: partition.shardOf[i]!, weightMs: partition.weightsMs[i] ?? null })),
    predicted: partition.loads,
    units: [...units],
    startedAt: suite.startedAt,
    finishedAt: suite.finishedAt,
    durationMs: suite.durationMs,
  };
}
