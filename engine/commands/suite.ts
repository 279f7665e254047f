import { join, relative } from "node:path";
import { ExitCode, InputError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { parseDurationMs } from "../../core/duration.ts";
import { runScenario } from "../runner/run-scenario.ts";
import { loadBaseline } from "../suite/baseline.ts";
import { executeSuite, type SuitePassResult } from "../suite/execute-suite.ts";
import { gitCommit } from "../suite/git-commit.ts";
import type { ScenarioFlakiness } from "../suite/flakiness.ts";
import { HISTORY_FILE, readSuiteHistory } from "../suite/history-file.ts";
import { mergeShards } from "../suite/merge-shards.ts";
import type { SeedMode } from "../suite/run-suite.ts";
import { selectScenarios } from "../suite/select-scenarios.ts";
import { parseShardFlag } from "../suite/shard.ts";
import { exitExplanation, needsReplay, runLabel, shardsText, wallTimeText } from "../suite/suite-format.ts";
import type { SuiteRecord } from "../suite/suite-record.ts";
import { flakinessTable, runsTable } from "../suite/suite-summary.ts";

/** The flags as typed; validated here so the CLI only passes them through. */
export interface SuiteFlags {
  tag?: string[] | undefined;
  "exclude-tag"?: string[] | undefined;
  repeat?: string | undefined;
  seed?: string | undefined;
  "random-seeds"?: boolean | undefined;
  budget?: string | undefined;
  baseline?: string | undefined;
  name?: string | undefined;
  reports?: string | undefined;
  "tolerance-points"?: string | undefined;
  "latency-tolerance-percent"?: string | undefined;
  /** i/n: run this machine's share of the suite (see engine/suite/shard.ts). */
  shard?: string | undefined;
  /** merge only: merge without the shards that are absent. */
  "allow-missing"?: boolean | undefined;
}

export interface SuiteCommandContext {
  /** The command line after `havoc`, recorded in the history. */
  argv: readonly string[];
  defaultReportsDir: string;
  log: Logger;
}

function wholeNumber(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isInteger(value) || value < min) throw new InputError(`--${flag} must be a whole number >= ${min}, got "${text}"`);
  return value;
}

function nonNegative(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) throw new InputError(`--${flag} must be a number >= 0, got "${text}"`);
  return value;
}

function seedMode(flags: SuiteFlags): SeedMode {
  if (flags.seed !== undefined && flags["random-seeds"]) throw new InputError("give --seed N or --random-seeds, not both");
  if (flags.seed !== undefined) return { kind: "fixed", seed: wholeNumber("seed", flags.seed, 0) };
  return flags["random-seeds"] ? { kind: "random" } : { kind: "scenario" };
}

/** The suite's name: --name, else its tags, else "suite". Used in the suite id and directory name. */
function suiteName(flags: SuiteFlags): string {
  const name = flags.name ?? (flags.tag && flags.tag.length > 0 ? flags.tag.join("-") : "suite");
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new InputError(`--name must be lower-case letters, digits and dashes, got "${name}"`);
  return name;
}

/**
 * `havoc suite <files, folders or globs> [--tag T]... [--exclude-tag T]... [--repeat N] [--seed N | --random-seeds]
 * [--budget 20m] [--baseline DIR] [--name NAME] [--reports DIR] [--shard i/n]`: runs the selected scenarios one after
 * another and writes one suite directory (havoc-results/suites/<suite id>) with suite.json, junit.xml, summary.md and
 * index.html; appends the suite to havoc-results/suite-history.ndjson. With --shard i/n it runs this machine's share only,
 * adds shard.json and appends nothing (`havoc suite merge` does, once). Exit code: see suiteVerdict.
 *
 * `havoc suite merge <shard dirs...> [--name NAME] [--reports DIR] [--allow-missing]`: see mergeShards.
 */
export async function suiteCommand(patterns: readonly string[], flags: SuiteFlags, ctx: SuiteCommandContext): Promise<number> {
  if (patterns[0] === "merge") return mergeCommand(patterns.slice(1), flags, ctx);
  const { log } = ctx;
  if (flags["allow-missing"]) throw new InputError("--allow-missing belongs to `havoc suite merge`", "havoc suite merge <shard dirs...> --allow-missing");
  // Checked first: a malformed --shard must not wait for every scenario file to load.
  const shard = flags.shard === undefined ? null : parseShardFlag(flags.shard);
  const repeat = flags.repeat === undefined ? 1 : wholeNumber("repeat", flags.repeat, 1);
  const seeds = seedMode(flags);
  const budgetMs = flags.budget === undefined ? null : parseDurationMs(flags.budget);
  if (budgetMs === undefined || (budgetMs !== null && budgetMs <= 0)) throw new InputError(`--budget must be a duration such as "20m" or "90s", got "${flags.budget}"`);
  const tolerances = {
    ...(flags["tolerance-points"] !== undefined ? { availabilityTolerancePoints: nonNegative("tolerance-points", flags["tolerance-points"])! } : {}),
    ...(flags["latency-tolerance-percent"] !== undefined ? { latencyTolerancePercent: nonNegative("latency-tolerance-percent", flags["latency-tolerance-percent"])! } : {}),
  };
  const name = suiteName(flags);
  const filter = { tags: flags.tag ?? [], excludeTags: flags["exclude-tag"] ?? [] };
  const cwd = process.cwd();
  const selected = await selectScenarios(patterns, filter, cwd);
  const baseline = flags.baseline === undefined ? null : { path: flags.baseline, records: await loadBaseline(flags.baseline) };
  const reportsDir = flags.reports ?? ctx.defaultReportsDir;
  const historyPath = join(reportsDir, HISTORY_FILE);
  const history = await readSuiteHistory(historyPath);
  for (const warning of history.warnings) log.warn(warning);

  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      log.warn(`${signal} again: exiting without cleanup`);
      process.exit(signal === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted);
    }
    log.warn(`${signal}: stopping the run in progress (heal, stop traffic, tear down), starting no other (send again to force)`);
    abort.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let pass;
  try {
    pass = await executeSuite({
      name,
      selected,
      selection: { patterns: [...patterns], tags: [...filter.tags], excludeTags: [...filter.excludeTags] },
      repeat,
      seeds,
      budgetMs,
      baseline,
      tolerances,
      shard,
      reportsDir,
      historyPath,
      history: history.records,
      gitCommit: gitCommit(cwd),
      command: ["havoc", ...ctx.argv].join(" "),
      log,
      signal: abort.signal,
      runOne: (entry, suiteDir, signal) => runScenario({ file: entry.file, scenario: entry.scenario, ...(entry.seed !== undefined ? { seed: entry.seed } : {}), reportsDir: suiteDir, log, signal }),
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return finish(pass, cwd);
}

/** Flags of a suite run that mean nothing to a merge: refused rather than silently ignored. */
const RUN_ONLY_FLAGS = ["tag", "exclude-tag", "repeat", "seed", "random-seeds", "budget", "baseline", "tolerance-points", "latency-tolerance-percent", "shard"] as const;

async function mergeCommand(dirs: readonly string[], flags: SuiteFlags, ctx: SuiteCommandContext): Promise<number> {
  const given = RUN_ONLY_FLAGS.filter((f) => flags[f] !== undefined);
  if (given.length > 0) throw new InputError(`havoc suite merge takes no --${given.join(", --")}: the shards recorded how they were run`, "havoc suite merge <shard dirs...> [--name NAME] [--reports DIR] [--allow-missing]");
  if (dirs.length === 0) throw new InputError("havoc suite merge needs the suite directories of the shards", "e.g. havoc suite merge shards/*/*/");
  if (flags.name !== undefined) suiteName(flags);
  const reportsDir = flags.reports ?? ctx.defaultReportsDir;
  const historyPath = join(reportsDir, HISTORY_FILE);
  const history = await readSuiteHistory(historyPath);
  for (const warning of history.warnings) ctx.log.warn(warning);
  const pass = await mergeShards({ dirs, name: flags.name, reportsDir, historyPath, history: history.records, allowMissing: flags["allow-missing"] === true, log: ctx.log });
  return finish(pass, process.cwd());
}

function finish(pass: SuitePassResult, cwd: string): number {
  const { suite, suiteDir, flakiness, failures } = pass;
  printSummary(suite, flakiness, suiteDir, cwd);
  // A reporter that failed must not let a suite read as passed: CI would gate on a missing junit.xml.
  if (failures.length > 0 && suite.exitCode === ExitCode.pass) return ExitCode.environment;
  return suite.exitCode;
}

function printSummary(suite: SuiteRecord, flakiness: readonly ScenarioFlakiness[], suiteDir: string, cwd: string): void {
  const out: string[] = ["", `suite ${suite.name}: ${suite.verdict.toUpperCase()} (exit ${suite.exitCode}: ${exitExplanation(suite)}) in ${wallTimeText(suite)}`, ""];
  if (suite.sharding) out.push(`sharded: ${shardsText(suite)}`, "");
  for (const r of suite.runs.filter((r) => r.loud)) out.push(`!!! ${runLabel(r, suite)}: ${r.note}`);
  if (suite.runs.length > 0) out.push(runsTable(suite), "");
  if (suite.repeat > 1) out.push(`flakiness over ${suite.repeat} runs per scenario:`, flakinessTable(flakiness), "");
  for (const n of suite.notRun) out.push(`not run: ${suite.repeat > 1 ? `${n.scenario} #${n.repeat}` : n.scenario} (${n.reason}: ${n.why})`);
  const replay = suite.runs.filter(needsReplay);
  if (replay.length > 0) out.push("replay what did not pass:", ...replay.map((r) => `  ${r.replay}`), "");
  out.push(`suite: ${relative(cwd, suiteDir) || suiteDir} (index.html, junit.xml, summary.md)`);
  // Last, in the plain form CI log readers look for: runs counted as passed, failed (or errored), and undecided or unrun.
  const isFailed = (r: SuiteRecord["runs"][number]) => r.suiteVerdict === "fail" || r.suiteVerdict === "error" || (r.regression?.gating === true && r.regression.regressed);
  const failed = suite.runs.filter(isFailed).length;
  const passed = suite.runs.filter((r) => r.suiteVerdict === "pass" && !isFailed(r)).length;
  out.push(`${suite.name}: ${passed} passed, ${failed} failed, ${suite.runs.length - passed - failed + suite.notRun.length} skipped`);
  process.stdout.write(out.join("\n") + "\n");
}
