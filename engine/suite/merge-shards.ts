import { existsSync } from "node:fs";
import { cp, mkdir } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { InputError, errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { SUITE_FILE } from "./baseline.ts";
import type { SuitePassResult } from "./execute-suite.ts";
import { aggregateFlakiness } from "./flakiness.ts";
import { appendSuiteRecord } from "./history-file.ts";
import { SHARD_FILE, ShardFile, readJsonFile } from "./shard-file.ts";
import { newSuiteId } from "./suite-id.ts";
import { SuiteRecord, type NotRunRecord, type ScenarioRunRecord, type SuiteOutcome } from "./suite-record.ts";
import { suiteVerdict } from "./suite-verdict.ts";
import { pointLatestSuite, writeSuiteReports } from "./write-suite-reports.ts";

/**
 * `havoc suite merge <dirs...>`: the suite directories of the shards of one suite run (`--shard i/n`, one per machine)
 * become one suite directory, as if one machine had run them all: the runs in plan order, flakiness over repeats
 * wherever they ran, each shard's regression marks (computed against the same history), the worst shard's outcome,
 * one history line. Shards that do not belong together are refused (exit 2) rather than averaged into a night that
 * never happened.
 */

export interface LoadedShard {
  dir: string;
  shard: ShardFile;
  suite: SuiteRecord;
}

export interface MergeShardsOptions {
  dirs: readonly string[];
  /** --name: the merged suite's name; the shards' by default. */
  name?: string | undefined;
  reportsDir: string;
  historyPath: string;
  /** The history before this suite, oldest first (the merged suite is appended to it). */
  history: readonly SuiteRecord[];
  /** --allow-missing: merge without the absent shards, their runs reported as not run. */
  allowMissing: boolean;
  log: Logger;
}

export async function loadShard(dir: string): Promise<LoadedShard> {
  const shard = await readJsonFile(join(dir, SHARD_FILE), ShardFile, "a shard's shard.json (written by `havoc suite ... --shard i/n`)");
  const suite = await readJsonFile(join(dir, SUITE_FILE), SuiteRecord, "a suite record");
  return { dir, shard, suite };
}

/** JSON with sorted keys: two shards agree on a value whatever order its keys were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

const unitKey = (u: { scenario: string; repeat: number }) => `${u.scenario}#${u.repeat}`;
const brief = (text: string) => (text.length > 120 ? `${text.slice(0, 117)}...` : text);
const shardName = (s: LoadedShard) => `${s.dir} (shard ${s.shard.shard.index}/${s.shard.shard.total})`;

/** What every shard of one suite run shares, and how a difference is explained. */
const SHARED: readonly { field: string; of: (f: ShardFile) => unknown; why: string }[] = [
  { field: "shard count", of: (f) => f.shard.total, why: "each was run with a different n in --shard i/n" },
  { field: "name", of: (f) => f.name, why: "they were run with different --name or --tag" },
  { field: "commit", of: (f) => f.gitCommit, why: "they ran different code" },
  { field: "selection", of: (f) => f.selection, why: "they were given different scenario patterns or tags" },
  { field: "repeat", of: (f) => f.repeat, why: "they were run with different --repeat" },
  { field: "seeds mode", of: (f) => f.seeds, why: "they were run with different --seed / --random-seeds" },
  { field: "budget", of: (f) => f.budgetMs, why: "they were run with different --budget" },
  { field: "baseline", of: (f) => f.baseline, why: "they were run with different --baseline" },
  { field: "tolerances", of: (f) => f.tolerances, why: "they were run with different regression tolerances" },
  { field: "history", of: (f) => f.history, why: "they read different suite histories, so their regression marks and partitions differ" },
  { field: "partition", of: (f) => ({ plan: f.plan, balancedBy: f.balancedBy }), why: "they computed different partitions (different scenarios or wall times)" },
];

/**
 * Checks the shards belong to one suite run and together hold each of its runs once; returns the shard indexes
 * missing (none unless allowMissing). Every refusal is an InputError (exit 2) naming the directory.
 */
export function checkShards(shards: readonly LoadedShard[], allowMissing: boolean): number[] {
  if (shards.length === 0) throw new InputError("suite merge needs the directories of the shards to merge", "e.g. havoc suite merge shards/*/");
  const first = shards[0]!;
  for (const s of shards.slice(1)) {
    for (const { field, of, why } of SHARED) {
      const a = canonical(of(first.shard));
      const b = canonical(of(s.shard));
      if (a !== b) throw new InputError(`${shardName(s)} and ${shardName(first)} differ in ${field} (${brief(b)} vs ${brief(a)}): not shards of one suite run`, `${why}; merge only the shards of one run`);
    }
  }
  const byIndex = new Map<number, LoadedShard>();
  const dirs = new Map<string, LoadedShard>();
  for (const s of shards) {
    const twin = byIndex.get(s.shard.shard.index) ?? dirs.get(resolve(s.dir));
    if (twin) throw new InputError(`shard ${s.shard.shard.index}/${s.shard.shard.total} given twice: ${twin.dir} and ${s.dir}`, "pass each shard's directory once");
    byIndex.set(s.shard.shard.index, s);
    dirs.set(resolve(s.dir), s);
  }
  const runDirs = new Map<string, LoadedShard>();
  for (const s of shards) {
    const { index } = s.shard.shard;
    const expected = s.shard.plan.filter((u) => u.shard === index).map(unitKey);
    if (canonical(s.shard.units.map(unitKey)) !== canonical(expected)) throw new InputError(`${join(s.dir, SHARD_FILE)}: its runs are not the plan's share of shard ${index}`, "the file was edited or is from another version");
    if (s.suite.suiteId !== s.shard.suiteId || s.suite.name !== s.shard.name) throw new InputError(`${join(s.dir, SUITE_FILE)}: suite ${s.suite.suiteId} is not the suite ${s.shard.suiteId} that ${SHARD_FILE} names`);
    const held = [...s.suite.runs, ...s.suite.notRun].map(unitKey).sort();
    if (canonical(held) !== canonical([...expected].sort())) throw new InputError(`${join(s.dir, SUITE_FILE)}: its runs and not-run runs are not the runs ${SHARD_FILE} gave shard ${index}`);
    for (const run of s.suite.runs) {
      if (!run.runDir) continue;
      const other = runDirs.get(run.runDir);
      if (other) throw new InputError(`${s.dir} and ${other.dir} both hold ${run.runDir}: merged, one would overwrite the other`);
      runDirs.set(run.runDir, s);
    }
  }
  const total = first.shard.shard.total;
  const missing = Array.from({ length: total }, (_, i) => i + 1).filter((i) => !byIndex.has(i));
  if (missing.length > 0 && !allowMissing) {
    const lines = missing.map((i) => {
      const units = first.shard.plan.filter((u) => u.shard === i);
      return `shard ${i}/${total} is missing (its ${units.length} run(s): ${brief(units.map((u) => `${u.scenario} #${u.repeat}`).join(", "))})`;
    });
    throw new InputError(lines.join("; "), "pass its directory too, or --allow-missing to merge without it (its runs are then reported as not run)");
  }
  return missing;
}

const OUTCOME_RANK: Record<SuiteOutcome, number> = { completed: 0, "over-budget": 1, incomplete: 2, interrupted: 3 };

/** The shards' command with its `--shard i/n` written as what the merge stands for. */
function mergedCommand(command: string, total: number): string {
  const replaced = command.replace(/--shard(=|\s+)\S+/, `--shard i/${total}`);
  return `${replaced === command ? `${command} --shard i/${total}` : replaced} (i = 1..${total}, merged)`;
}

/** The merged record; pure, so tests compare it with a suite run whole. */
export function mergeShardRecords(shards: readonly LoadedShard[], missing: readonly number[], target: { name: string; suiteId: string; suiteDir: string }): SuiteRecord {
  const first = shards[0]!;
  const total = first.shard.shard.total;
  const planIndex = new Map(first.shard.plan.map((u, i) => [unitKey(u), i]));
  const inPlanOrder = <T extends { scenario: string; repeat: number }>(list: T[]) => list.sort((a, b) => planIndex.get(unitKey(a))! - planIndex.get(unitKey(b))!);
  const runs: ScenarioRunRecord[] = inPlanOrder(shards.flatMap((s) => s.suite.runs));
  const notRun: NotRunRecord[] = inPlanOrder([
    ...shards.flatMap((s) => s.suite.notRun),
    ...first.shard.plan
      .filter((u) => missing.includes(u.shard))
      .map((u): NotRunRecord => ({ scenario: u.scenario, file: u.file, repeat: u.repeat, reason: "shard-missing", why: `shard ${u.shard}/${total} delivered no results` })),
  ]);
  const outcomes: SuiteOutcome[] = [...shards.map((s) => s.suite.outcome), missing.length > 0 ? "incomplete" : "completed"];
  const outcome = outcomes.reduce((worst, o) => (OUTCOME_RANK[o] > OUTCOME_RANK[worst] ? o : worst), "completed" as SuiteOutcome);
  const interrupted = shards.find((s) => s.suite.outcome === "interrupted");
  const signal = interrupted ? (interrupted.suite.exitCode === 143 ? "SIGTERM" : "SIGINT") : null;
  const { verdict, exitCode } = suiteVerdict(runs, outcome, signal);
  const byIndex = [...shards].sort((a, b) => a.shard.shard.index - b.shard.shard.index);
  const startedAt = byIndex.map((s) => s.suite.startedAt).sort()[0]!;
  const finishedAt = byIndex.map((s) => s.suite.finishedAt).sort().at(-1)!;
  const walls = byIndex.map((s) => s.suite.durationMs);
  return {
    schemaVersion: 1,
    suiteId: target.suiteId,
    name: target.name,
    startedAt,
    finishedAt,
    // The machines ran side by side: the night took as long as its slowest shard.
    durationMs: Math.max(...walls),
    gitCommit: first.suite.gitCommit,
    command: mergedCommand(first.suite.command, total),
    selection: first.suite.selection,
    repeat: first.suite.repeat,
    seeds: first.suite.seeds,
    budgetMs: first.suite.budgetMs,
    baseline: first.suite.baseline,
    verdict,
    exitCode,
    outcome,
    suiteDir: target.suiteDir,
    runs,
    notRun,
    sharding: {
      total,
      shards: byIndex.map((s) => ({
        index: s.shard.shard.index,
        suiteId: s.suite.suiteId,
        startedAt: s.suite.startedAt,
        durationMs: s.suite.durationMs,
        outcome: s.suite.outcome,
        exitCode: s.suite.exitCode,
        runs: s.suite.runs.length,
        notRun: s.suite.notRun.length,
      })),
      missing: [...missing],
      sumMs: walls.reduce((a, b) => a + b, 0),
    },
  };
}

export async function mergeShards(o: MergeShardsOptions): Promise<SuitePassResult> {
  const { log } = o;
  const shards: LoadedShard[] = [];
  for (const dir of o.dirs) shards.push(await loadShard(dir));
  const missing = checkShards(shards, o.allowMissing);
  for (const i of missing) log.warn(`shard ${i}/${shards[0]!.shard.shard.total} is missing: its runs are reported as not run (--allow-missing)`);
  const first = shards[0]!;
  const seen = { suites: o.history.length, lastSuiteId: o.history.at(-1)?.suiteId ?? null };
  if (canonical(seen) !== canonical(first.shard.history))
    log.warn(
      `the shards read a history of ${first.shard.history.suites} suite(s) ending ${first.shard.history.lastSuiteId ?? "nowhere"}, ${o.historyPath} holds ${seen.suites} ending ${seen.lastSuiteId ?? "nowhere"}: ` +
        "the regression marks are the shards' own, and the trends in index.html are drawn from this history",
    );
  const name = o.name ?? first.shard.name;
  const earliest = shards.map((s) => s.suite.startedAt).sort()[0]!;
  const suiteId = newSuiteId(name, new Date(earliest));
  const suiteDir = join(o.reportsDir, "suites", suiteId);
  if (existsSync(suiteDir)) throw new InputError(`${suiteDir} exists already: these shards were merged into it before`, "remove it to merge again, or pass another --reports");
  const suite = mergeShardRecords(shards, missing, { name, suiteId, suiteDir: relative(o.reportsDir, suiteDir) });
  await mkdir(suiteDir, { recursive: true });

  // Copies, not links: the merged directory is uploaded as one artifact and must hold every run itself.
  for (const s of shards) {
    for (const run of s.suite.runs) {
      if (!run.runDir) continue;
      const from = join(s.dir, run.runDir);
      if (!existsSync(from)) {
        log.warn(`${from}: missing from shard ${s.shard.shard.index}'s directory; index.html's link to ${run.scenario} #${run.repeat} will not resolve`);
        continue;
      }
      await cp(from, join(suiteDir, run.runDir), { recursive: true, errorOnExist: true, force: false, verbatimSymlinks: true });
    }
  }
  log.info(`merged ${shards.length} of ${first.shard.shard.total} shard(s) of suite ${first.shard.name}: ${suite.runs.length} run(s), ${suite.notRun.length} not run, into ${relative(process.cwd(), suiteDir) || suiteDir}`);

  const flakiness = aggregateFlakiness(suite.runs);
  const failures: string[] = [];
  await appendSuiteRecord(o.historyPath, suite).catch((error: unknown) => {
    failures.push(o.historyPath);
    log.warn(`could not append to ${o.historyPath}: ${errorMessage(error)}`);
  });
  const files = await writeSuiteReports(suiteDir, suite, flakiness, o.history, o.historyPath, log);
  failures.push(...files.failures.map((f) => f.file));
  await pointLatestSuite(o.reportsDir, suiteDir).catch(() => undefined);
  return { suite, suiteDir, flakiness, failures };
}
