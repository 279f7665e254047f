import { z } from "zod";
import { HarnessCost } from "../core/harness-cost.ts";
import { SloResult, Verdict } from "../core/verdict.ts";

/**
 * The shape of report.json: the single source of truth for every reporter (they render a RunReport,
 * so a saved report.json can be re-rendered). Times named `...Ms` / `...At` inside the run count in ms
 * from traffic start, like the History; startedAt/finishedAt are wall-clock ISO 8601 strings.
 */

/**
 * How the run ended. inconclusive: the steady-state gate failed; incomplete: stopped before traffic ended;
 * invalid: the scenario proved wrong once running (e.g. its readback cannot return what was acknowledged; exit 2).
 */
export const RunStatus = z.enum(["completed", "aborted", "inconclusive", "error", "incomplete", "invalid"]);
export type RunStatus = z.infer<typeof RunStatus>;

const count = z.number().int().min(0);

/**
 * Jepsen set-checker counts for one traffic class (or their sum). lost/recovered/failedStored/unexpected/stored are null
 * when the store could not be read back (for a sum: when any class could not be read back).
 */
export const DataLossCounts = z.object({
  /** Writes the system acknowledged (2xx). */
  acknowledged: count,
  /** Writes whose outcome the client could not tell (timeout, reset), not also acknowledged. */
  unknown: count,
  /** Ids read back from the store. */
  stored: count.nullable(),
  /** Acknowledged but not stored: the data loss. */
  lost: count.nullable(),
  /** Unknown outcome, yet stored: the write did land. Not a loss. */
  recovered: count.nullable(),
  /** Refused by the system (a definite failure), yet stored: a client that retries it would write it twice. */
  failedStored: count.nullable(),
  /** Stored, yet never sent: no attempt of that id was made. */
  unexpected: count.nullable(),
  /** First lost ids (at most 20), in acknowledgement order. */
  lostSample: z.array(z.string()),
  /** First unexpected ids (at most 20). */
  unexpectedSample: z.array(z.string()),
});
export type DataLossCounts = z.infer<typeof DataLossCounts>;

export const DataLoss = DataLossCounts.extend({ byTraffic: z.record(z.string(), DataLossCounts) });
export type DataLoss = z.infer<typeof DataLoss>;

/** Percentiles over every request of a traffic class, in ms (histogram buckets, relative error <= 5 %). */
export const LatencyPercentilesMs = z.object({ p50: z.number(), p95: z.number(), p99: z.number() });

export const TrafficSummary = z.object({
  requests: count,
  ok: count,
  fail: count,
  unknown: count,
  /** ok / requests in percent, truncated to 2 decimals; null without requests. */
  availabilityPercent: z.number().nullable(),
  /** null without requests. */
  latencyMs: LatencyPercentilesMs.nullable(),
  /** Requests per cause ("http_201", "timeout", ...). */
  causes: z.record(z.string(), count),
  /** Iterations the load generator could not start in time. */
  droppedIterations: count,
});
export type TrafficSummary = z.infer<typeof TrafficSummary>;

/** A fault as it actually happened (from the History). */
export const ReportFault = z.object({
  id: z.string(),
  kind: z.string(),
  targets: z.array(z.string()),
  /**
   * When the scheduler called inject, ms from traffic start: the executed time, later than the plan's `atMs` when the
   * steps before it ran long. Absent in reports written before it existed.
   */
  calledAt: z.number().optional(),
  /** When the fault took effect (the Docker event's time where one exists), ms from traffic start. */
  injectedAt: z.number(),
  /**
   * When the scheduler called heal, ms from traffic start: the executed heal time (the plan's `healAtMs` may have
   * passed already). Absent when it never healed, and in reports written before it existed.
   */
  healCalledAt: z.number().optional(),
  /** When the heal completed (a restarted node ready again), ms from traffic start; null when it never healed. */
  healedAt: z.number().nullable(),
  mechanism: z.string(),
  notes: z.array(z.string()),
});
export type ReportFault = z.infer<typeof ReportFault>;

/** The materialised plan: enough to replay the run. */
export const ReportPlan = z.object({
  seed: z.number(),
  faults: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      targets: z.array(z.string()),
      /** Planned injection, ms from traffic start. */
      atMs: z.number(),
      /** Planned heal, ms from traffic start; null: healed at the end of traffic. */
      healAtMs: z.number().nullable(),
    }),
  ),
});
export type ReportPlan = z.infer<typeof ReportPlan>;

export const RunReport = z.object({
  schemaVersion: z.literal(1),
  runId: z.string(),
  scenario: z.string(),
  description: z.string(),
  /** The scenario's tags (suites select by them). Absent in reports written before tags existed: []. */
  tags: z.array(z.string()).default([]),
  /**
   * The verdict the scenario is built to reach: "fail" marks a control (see Scenario.expect). `verdict` and
   * `exitCode` stay the raw judgement; a suite applies the expectation.
   */
  expect: z.enum(["pass", "fail"]).default("pass"),
  /** For a control: the SLO ids it must fail (empty: any). */
  expectFailing: z.array(z.string()).default([]),
  seed: z.number(),
  startedAt: z.iso.datetime({ offset: true }),
  finishedAt: z.iso.datetime({ offset: true }),
  durationMs: z.number().min(0),
  /** Traffic end, ms from traffic start (the length of the timeline). */
  trafficEndMs: z.number(),
  verdict: Verdict,
  /** Exit code of `havoc run` (0 pass, 1 fail, 3 error, 4 unknown). */
  exitCode: z.number().int(),
  status: RunStatus,
  /** Why the run was aborted, inconclusive or errored; null when completed. */
  reason: z.string().nullable(),
  /**
   * Set when the experiment is void: the harness lost control (engine unreachable, load generator died, a fault it
   * could not inject or heal). `fromMs`: from when the record stops being trustworthy (ms from traffic start).
   */
  void: z.object({ fromMs: z.number().nullable(), reason: z.string() }).nullable().default(null),
  slos: z.array(SloResult),
  faults: z.array(ReportFault),
  dataLoss: DataLoss,
  traffic: z.record(z.string(), TrafficSummary),
  plan: ReportPlan,
  /** Number of Docker container events recorded (die, start, kill, ...). */
  containerEvents: count,
  /** File names written into the run directory. */
  artifacts: z.array(z.string()),
  /**
   * CPU the harness and its load generators took while traffic ran, against the machine: a report whose harness took
   * much of the machine says so, since its latencies then read the harness as much as the system. Null when it was not
   * measured (a run that ended before its traffic started, or a report made before the field existed).
   */
  harnessCost: HarnessCost.nullable().default(null),
});
export type RunReport = z.infer<typeof RunReport>;
