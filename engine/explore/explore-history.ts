import { relative } from "node:path";
import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { appendSuiteRecord } from "../suite/history-file.ts";
import { newSuiteId } from "../suite/suite-id.ts";
import type { ScenarioRunRecord, SuiteRecord } from "../suite/suite-record.ts";
import { suiteVerdict } from "../suite/suite-verdict.ts";
import type { ExploreResult } from "./explore.ts";

/**
 * An exploration joins the suite history as one suite: named "explore-<scenario>", one run record per seed (built by
 * the suite's own runRecord), so `havoc suite`'s regression marks, its flakiness over the history and `--baseline`
 * read explore runs like a night's. Each seed is a repeat (#1, #2, ...): the same scenario and code, a new schedule.
 */

export const exploreSuiteName = (scenario: string): string => `explore-${scenario}`;

export interface ExploreRecordInput {
  scenario: string;
  /** The scenario file as given. */
  file: string;
  /** Run records in run order, as many as the exploration kept (a run cut short by Ctrl-C is left out). */
  runs: readonly ScenarioRunRecord[];
  stoppedBy: ExploreResult["stoppedBy"];
  /** --seed S: seeds S, S+1, ...; otherwise fresh random seeds. */
  seeds: "random" | "consecutive";
  budgetMs: number | null;
  startedAt: Date;
  finishedAt: Date;
  /** The exploration's directory (REPORTS/explores/<id>) and the reports folder holding the history file. */
  exploreDir: string;
  reportsDir: string;
  gitCommit: string | null;
  command: string;
  /** The signal that interrupted it, when one did. */
  signal: "SIGINT" | "SIGTERM" | null;
}

export function exploreSuiteRecord(input: ExploreRecordInput): SuiteRecord {
  const name = exploreSuiteName(input.scenario);
  // Running out of runs or budget is how an exploration ends, not runs left unrun: only Ctrl-C leaves it incomplete.
  const outcome = input.stoppedBy === "interrupted" ? "interrupted" : "completed";
  const { verdict, exitCode } = suiteVerdict(input.runs, outcome, input.signal);
  return {
    schemaVersion: 1,
    suiteId: newSuiteId(name, input.startedAt),
    name,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
    gitCommit: input.gitCommit,
    command: input.command,
    selection: { patterns: [input.file], tags: [], excludeTags: [] },
    repeat: Math.max(1, input.runs.length),
    seeds: input.seeds,
    budgetMs: input.budgetMs,
    baseline: null,
    verdict,
    exitCode,
    outcome,
    suiteDir: relative(input.reportsDir, input.exploreDir),
    runs: [...input.runs],
    notRun: [],
  };
}

/**
 * Appends the exploration to the history; returns why it could not (and warns, as a suite does), or null. The caller
 * must not let an exploration whose history line is missing read as clean.
 */
export async function appendExploreRecord(historyPath: string, record: SuiteRecord, log: Pick<Logger, "warn">): Promise<string | null> {
  try {
    await appendSuiteRecord(historyPath, record);
    return null;
  } catch (error) {
    const why = `could not append to ${historyPath}: ${errorMessage(error)}`;
    log.warn(why);
    return why;
  }
}
