import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { errorMessage, ExitCode, InputError } from "../../core/errors.ts";
import { log } from "../../core/log.ts";
import { DEFAULT_OUTPUT_DIR } from "../../core/output-dir.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { loadScenarioFile } from "../../scenario/load-scenario.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { explore, type RunSummary } from "../explore/explore.ts";
import { formatExploreTable } from "../explore/explore-format.ts";
import { appendExploreRecord, exploreSuiteRecord } from "../explore/explore-history.ts";
import { newRunId } from "../runner/run-id.ts";
import { runScenario, type RunOutcome, type RunScenarioOptions } from "../runner/run-scenario.ts";
import { gitCommit } from "../suite/git-commit.ts";
import { HISTORY_FILE, readSuiteHistory } from "../suite/history-file.ts";
import { markRegressions } from "../suite/regression.ts";
import { crashedRunRecord, runRecord } from "../suite/run-record.ts";
import type { ScenarioRunRecord, SuiteRecord } from "../suite/suite-record.ts";
import { interruptedExitCode, onInterrupt } from "./interrupts.ts";
import { enableTypeScriptImports } from "./typescript-imports.ts";

export interface ExploreCommandOptions {
  runs?: number | undefined;
  budgetMs?: number | undefined;
  seed?: number | undefined;
  reportsDir?: string | undefined;
  hosts?: Record<string, { docker: string }>;
  /** The command line after `havoc`, recorded in the suite history. */
  argv?: readonly string[];
  /** Runs one seed; runScenario, unless a unit test passes simulated runs. */
  runner?: (options: RunScenarioOptions) => Promise<Pick<RunOutcome, "runDir" | "report" | "exitCode">>;
}

/** The loop's bounds and seeds from the command line; refuses an exploration without an end (exit 2). */
export function exploreBounds(options: Pick<ExploreCommandOptions, "runs" | "budgetMs" | "seed">): { maxRuns?: number; budgetMs?: number; seeds: Iterable<number> | "random" } {
  if (options.runs === undefined && options.budgetMs === undefined) {
    throw new InputError("explore needs an end: give --runs N, --budget DURATION, or both", "e.g. havoc explore scenarios/trackr/explore-app-overlap.ts --runs 6");
  }
  if (options.budgetMs !== undefined && options.budgetMs <= 0) throw new InputError(`--budget must be longer than 0`);
  return {
    ...(options.runs !== undefined ? { maxRuns: options.runs } : {}),
    ...(options.budgetMs !== undefined ? { budgetMs: options.budgetMs } : {}),
    seeds: options.seed === undefined ? "random" : consecutive(options.seed),
  };
}

function* consecutive(from: number): Iterable<number> {
  for (let seed = from; seed <= Number.MAX_SAFE_INTEGER; seed++) yield seed;
}

/** What the seed changes in this scenario; a scenario whose plan no seed changes is explored in vain. */
export function seedSensitivity(scenario: Scenario): string | undefined {
  if (scenario.faultGenerator || scenario.randomFaults) return undefined;
  const randomTargets = scenario.faults.some((f) => f.target.mode !== "all" && f.target.mode !== "primary");
  return randomTargets
    ? "the scenario has no faultGenerator (nor randomFaults): a new seed only changes which node a fault hits"
    : "the scenario has no faultGenerator, no randomFaults and no fault with a random target: every seed runs the same plan";
}

/** A finished run as the explore loop counts it. */
export function summarizeRun(seed: number, report: RunReport, runDir: string, wallMs: number): RunSummary {
  return {
    seed,
    verdict: report.verdict,
    failedSlos: report.slos.filter((s) => s.verdict === "fail").map((s) => s.id),
    faultKinds: report.plan.faults.map((f) => f.kind),
    runDir,
    wallMs,
    ...(report.verdict === "error" || report.verdict === "unknown" ? { error: report.reason ?? undefined } : {}),
  };
}

/** A path as the console shows it: relative to the working directory when under it, else absolute. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === "" || rel.startsWith("..") ? path : rel;
}

/** `havoc explore`: loads and validates once, then one live run per seed until the runs or the budget run out. */
export async function exploreScenarioFile(file: string, options: ExploreCommandOptions): Promise<number> {
  const bounds = exploreBounds(options);
  await enableTypeScriptImports();
  const scenario = await loadScenarioFile(file, { ...(options.hosts ? { hosts: options.hosts } : {}) });
  const reportsDir = resolve(options.reportsDir ?? DEFAULT_OUTPUT_DIR);
  const weak = seedSensitivity(scenario);
  if (weak) log.warn(`explore: ${weak}`);
  const abort = new AbortController();
  const release = onInterrupt(abort, log, "printing what explore found so far");
  const exploreId = `${newRunId()}-${scenario.name}`;
  const dir = join(reportsDir, "explores", exploreId);
  const runner = options.runner ?? runScenario;
  // Every run as the suite history records it, built by the suite's own code; in run order, like result.runs.
  const records: ScenarioRunRecord[] = [];
  const startedAt = new Date();
  try {
    const result = await explore({
      ...bounds,
      signal: abort.signal,
      runOne: async (seed) => {
        const startMs = Date.now();
        const repeat = records.length + 1;
        log.info(`explore: seed ${seed}`);
        let outcome;
        try {
          outcome = await runner({ file, scenario, seed, reportsDir, log, signal: abort.signal });
        } catch (error) {
          records.push(crashedRunRecord(file, scenario, repeat, seed, errorMessage(error), new Date(startMs)));
          throw error;
        }
        records.push(runRecord({ file, scenario, repeat, runDir: outcome.runDir, report: outcome.report, exitCode: outcome.exitCode }, dir));
        return summarizeRun(seed, outcome.report, shownPath(outcome.runDir), Date.now() - startMs);
      },
      onProgress: (progress) => process.stdout.write(`${progress.line}\n`),
    });
    const table = formatExploreTable(result);
    await mkdir(dir, { recursive: true });
    const historyPath = join(reportsDir, HISTORY_FILE);
    // The loop leaves out only its last run (the one Ctrl-C cut short), so the kept runs are the first records; each
    // is marked against the history as a suite's run is, so its "vs last pass" means what it means in a suite.
    const runs = markRegressions(records.slice(0, result.runs.length), await pastSuites(historyPath), "history");
    const suite = exploreSuiteRecord({
      scenario: scenario.name,
      file,
      runs,
      stoppedBy: result.stoppedBy,
      seeds: options.seed === undefined ? "random" : "consecutive",
      budgetMs: options.budgetMs ?? null,
      startedAt,
      finishedAt: new Date(),
      exploreDir: dir,
      reportsDir,
      gitCommit: gitCommit(process.cwd()),
      command: ["havoc", ...(options.argv ?? ["explore", file])].join(" "),
      signal: abort.signal.aborted ? (abort.signal.reason === "SIGTERM" ? "SIGTERM" : "SIGINT") : null,
    });
    const historyError = await appendExploreRecord(historyPath, suite, log);
    const history = { path: historyPath, suiteId: suite.suiteId, appended: historyError === null, ...(historyError === null ? {} : { error: historyError }) };
    const shrinkHint = result.groups[0]?.runDirs[0] ? `\nshrink the first failure: havoc shrink ${result.groups[0].runDirs[0]}\n` : "";
    await writeFile(join(dir, "summary.txt"), `${table}\n`);
    await writeFile(join(dir, "explore.json"), `${JSON.stringify({ scenario: scenario.name, file, ...result, history }, null, 2)}\n`);
    const historyLine = historyError === null ? `history: ${shownPath(historyPath)} (suite ${suite.suiteId})` : `history: NOT written, ${historyError}`;
    process.stdout.write(`\n${table}\n${shrinkHint}${historyLine}\nexplore: ${shownPath(dir)}\n`);
    if (abort.signal.aborted) return interruptedExitCode(abort.signal);
    const exitCode = result.failures > 0 ? ExitCode.sloFailed : result.runs.length > 0 && result.undecided === result.runs.length ? ExitCode.environment : ExitCode.pass;
    // As a suite: an exploration whose history line is missing must not read as clean (CI would trust a gap).
    return historyError !== null && exitCode === ExitCode.pass ? ExitCode.environment : exitCode;
  } finally {
    release();
  }
}

/** The history before this exploration; one that cannot be read marks nothing (the append then says what is wrong). */
async function pastSuites(historyPath: string): Promise<SuiteRecord[]> {
  try {
    const history = await readSuiteHistory(historyPath);
    for (const warning of history.warnings) log.warn(warning);
    return history.records;
  } catch (error) {
    log.warn(`could not read ${historyPath}: ${errorMessage(error)}; explore runs are not compared with earlier ones`);
    return [];
  }
}
