import { z } from "zod";
import { Verdict } from "../../core/verdict.ts";
import { RunStatus } from "../../judge/report-schema.ts";

/**
 * One suite run as data: written as suite.json into the suite directory and appended as one line to the history
 * file (havoc-results/suite-history.ndjson). Every reporter of a suite (junit, summary, index.html) renders this, so a
 * saved suite can be re-read, compared and charted without its run directories.
 */

/**
 * The figures a night is charted by, from one run. null: the scenario does not measure it (no such SLO) or it could
 * not be measured. Times in ms.
 */
export const KeyFigures = z.object({
  /** Worst `recovery-time` SLO measured from the injection (failover), ms. */
  failoverMs: z.number().nullable(),
  /** Worst `recovery-time` SLO measured from the heal (recovery), ms. */
  recoveryMs: z.number().nullable(),
  /** Worst `longest-outage` SLO, ms. */
  longestOutageMs: z.number().nullable(),
  /** Acknowledged writes missing from the store, all classes. */
  lostWrites: z.number().int().nullable(),
  /** Highest p99 latency of any traffic class, ms. */
  p99Ms: z.number().nullable(),
  /** Lowest availability of any traffic class over the run, percent. */
  availabilityPercent: z.number().nullable(),
});
export type KeyFigures = z.infer<typeof KeyFigures>;

/** What `havoc compare` reads of a run (reports/compare.ts ComparableRun), kept so a later night can compare. */
const RecordedSlo = z.object({ id: z.string(), kind: z.string(), verdict: Verdict, observed: z.number().nullable(), unit: z.string(), target: z.string(), why: z.string() });
const RecordedTraffic = z.object({
  availabilityPercent: z.number().nullable(),
  latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }).nullable(),
});

/** A run compared with an earlier passing run of the same scenario (or the --baseline's). */
export const RegressionMark = z.object({
  against: z.object({
    suiteId: z.string(),
    runId: z.string(),
    startedAt: z.string(),
    /** "history": the last passing run in the history file; "baseline": from --baseline. */
    source: z.enum(["history", "baseline"]),
  }),
  regressed: z.boolean(),
  /** One line per regressed row, e.g. "devices p99: 180.0 ms -> 420.0 ms (+240 ms)". */
  findings: z.array(z.string()),
  /** True with --baseline: a regression fails the suite. */
  gating: z.boolean(),
});
export type RegressionMark = z.infer<typeof RegressionMark>;

export const ScenarioRunRecord = z.object({
  scenario: z.string(),
  /** The scenario file as given, relative to where the suite was started. */
  file: z.string(),
  tags: z.array(z.string()),
  expect: z.enum(["pass", "fail"]),
  expectFailing: z.array(z.string()),
  /** 1-based: which of the `--repeat` runs of this scenario. */
  repeat: z.number().int().min(1),
  runId: z.string(),
  /** The run directory, relative to the suite directory ("" when the run never got one). */
  runDir: z.string(),
  seed: z.number().nullable(),
  /** The run's own verdict, as `havoc run` reports it. */
  verdict: Verdict,
  /** What the suite counts: the verdict with the scenario's expectation applied (a failing control counts as pass). */
  suiteVerdict: Verdict,
  /** Why it counts as it does; "" for a plain pass. */
  note: z.string(),
  /** A control that passed: printed loudly. */
  loud: z.boolean(),
  status: RunStatus,
  reason: z.string().nullable(),
  /** `havoc run`'s exit code for this run. */
  exitCode: z.number().int(),
  startedAt: z.string(),
  /** Wall time of the whole run, setup to teardown, ms. */
  durationMs: z.number().min(0),
  /** Length of the traffic, ms. */
  trafficEndMs: z.number().min(0),
  figures: KeyFigures,
  slos: z.array(RecordedSlo),
  traffic: z.record(z.string(), RecordedTraffic),
  /** The exact command that replays this run. */
  replay: z.string(),
  /** Null: no earlier passing run of this scenario to compare with. */
  regression: RegressionMark.nullable(),
});
export type ScenarioRunRecord = z.infer<typeof ScenarioRunRecord>;

export const NotRunRecord = z.object({
  scenario: z.string(),
  file: z.string(),
  repeat: z.number().int().min(1),
  /** "shard-missing": a sharded suite was merged without the shard this run fell to (`--allow-missing`). */
  reason: z.enum(["over-budget", "interrupted", "shard-missing"]),
  /** One line, e.g. "needs about 1m45s, 40s of the 20m budget left". */
  why: z.string(),
});
export type NotRunRecord = z.infer<typeof NotRunRecord>;

/**
 * How the suite as a whole ended: every selected run ran, the budget ran out, a signal stopped it, or (a merge of
 * shards) a shard's results never arrived.
 */
export const SuiteOutcome = z.enum(["completed", "over-budget", "interrupted", "incomplete"]);
export type SuiteOutcome = z.infer<typeof SuiteOutcome>;

/** One shard of a merged suite (`havoc suite merge`), as it ran on its machine. */
export const ShardSummary = z.object({
  index: z.number().int().min(1),
  suiteId: z.string(),
  startedAt: z.string(),
  /** That machine's wall time, ms. */
  durationMs: z.number().min(0),
  outcome: SuiteOutcome,
  exitCode: z.number().int(),
  runs: z.number().int().min(0),
  notRun: z.number().int().min(0),
});
export type ShardSummary = z.infer<typeof ShardSummary>;

/** Present only on a suite merged from shards. */
export const Sharding = z.object({
  total: z.number().int().min(1),
  shards: z.array(ShardSummary),
  /** Shards that delivered nothing (merged with --allow-missing); their runs are in notRun. */
  missing: z.array(z.number().int().min(1)),
  /** The machines' wall times added up, ms: what one machine would have taken. The suite's durationMs is the longest shard's. */
  sumMs: z.number().min(0),
});
export type Sharding = z.infer<typeof Sharding>;

export const SuiteRecord = z.object({
  schemaVersion: z.literal(1),
  /** "<UTC timestamp>-<name>", also the suite directory's name. */
  suiteId: z.string(),
  name: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  /** Wall time, ms; for a suite merged from shards, the longest shard's (they ran side by side). */
  durationMs: z.number().min(0),
  /** The checkout's commit, when git can tell. */
  gitCommit: z.string().nullable(),
  /** The command line, for people reading the history. */
  command: z.string(),
  selection: z.object({ patterns: z.array(z.string()), tags: z.array(z.string()), excludeTags: z.array(z.string()) }),
  repeat: z.number().int().min(1),
  /**
   * "scenario": each scenario's own seed (or one drawn per run); "fixed": --seed; "random": --random-seeds (or an
   * exploration's fresh seeds); "consecutive": an exploration's `--seed S` (S, S+1, ...).
   */
  seeds: z.enum(["scenario", "fixed", "random", "consecutive"]),
  budgetMs: z.number().nullable(),
  /** The --baseline given, null without. */
  baseline: z.string().nullable(),
  verdict: Verdict,
  exitCode: z.number().int(),
  outcome: SuiteOutcome,
  /** The suite directory, relative to the reports folder that holds the history file. */
  suiteDir: z.string(),
  runs: z.array(ScenarioRunRecord),
  notRun: z.array(NotRunRecord),
  /** Set by `havoc suite merge`: the shards this suite was run as. Absent for a suite run on one machine. */
  sharding: Sharding.optional(),
});
export type SuiteRecord = z.infer<typeof SuiteRecord>;
