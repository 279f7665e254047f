import { z } from "zod";
import { OpTrace } from "./op-trace.ts";

/**
 * Everything a run observed, on one clock: milliseconds since traffic start (setup events are negative).
 * Checks read only this; it is saved as history.json (plus ledger.ndjson) so checks can be re-run later.
 */

/** How one operation ended. unknown = the client cannot tell (timeout, reset, 502 from a proxy). */
export const Outcome = z.enum(["ok", "fail", "unknown"]);
export type Outcome = z.infer<typeof Outcome>;

/** One request as a load generator reports it (streamed, never all kept in memory). */
export const OpRecord = z.object({
  traffic: z.string(),
  op: z.enum(["write", "read"]),
  /** Unique id of a write (e.g. a reading id). */
  id: z.string().optional(),
  /** Wall-clock start, epoch ms. */
  startEpochMs: z.number(),
  durationMs: z.number(),
  outcome: Outcome,
  /** "http_201", "http_503", "timeout", "refused", "reset", ... */
  cause: z.string(),
  /** Node that answered (from the X-Served-By header), when known. */
  node: z.string().optional(),
  /**
   * The load generator that sent it, when a class runs its execution segments on chosen hosts (a k6 class's
   * `generators`): "<host>-<i>", e.g. "east-2". Absent for k6 processes on this machine.
   */
  generator: z.string().optional(),
  /**
   * Set only on a read that checked read-your-writes (the client's own last acknowledged write): true when the
   * answer did not contain it (a stale read), false when it did.
   */
  stale: z.boolean().optional(),
});
export type OpRecord = z.infer<typeof OpRecord>;

/** One second of one traffic class: [second*1000, second*1000+1000) ms from traffic start. */
export const TimelineBucket = z.object({
  traffic: z.string(),
  second: z.number().int(),
  requests: z.number().int(),
  ok: z.number().int(),
  fail: z.number().int(),
  unknown: z.number().int(),
  /** Count per cause ("http_201", "timeout", ...). */
  causes: z.record(z.string(), z.number().int()),
  /** Latency of every request in this second, see core/latency-histogram.ts. */
  latency: z.record(z.string(), z.number().int()),
  /** Reads in this second that checked the client's own last acknowledged write (OpRecord.stale set). */
  freshnessChecks: z.number().int().default(0),
  /** Of those, reads that did not see it. */
  staleReads: z.number().int().default(0),
});
export type TimelineBucket = z.infer<typeof TimelineBucket>;

/** One completed backup as a backup node's catalog lists it, on the run clock (ms from traffic start). */
export const BackupRecord = z.object({
  /** The backup node's name for it, e.g. "base-1796597144886". */
  label: z.string(),
  startedAtMs: z.number(),
  completedAtMs: z.number(),
  /** Set on the backup a restore step restored from. */
  restored: z.boolean().optional(),
});
export type BackupRecord = z.infer<typeof BackupRecord>;

export const FaultRecord = z.object({
  id: z.string(),
  kind: z.string(),
  targets: z.array(z.string()),
  /**
   * When the scheduler called inject, ms from traffic start: the fault may act from here on (a partition's rules go
   * in node by node before it is verified). Absent in runs recorded before it existed.
   */
  calledAtMs: z.number().optional(),
  /** When the fault took effect (Docker event time where one exists), ms from traffic start. */
  injectedAtMs: z.number(),
  /** When the heal completed; null when it never healed (the run was aborted before). */
  healedAtMs: z.number().nullable(),
  /**
   * When the scheduler called heal, ms from traffic start: later than planned when the steps before it ran long (a
   * heal that waits for its node to be ready delays every step after it). Absent in runs recorded before it existed.
   */
  healCalledAtMs: z.number().optional(),
  /** How it was done, e.g. "docker kill SIGKILL". */
  mechanism: z.string(),
  notes: z.array(z.string()).default([]),
  /**
   * Set when the system failed the heal itself: a node the harness started again never became ready. The run stays
   * valid and this is judged as a failure of the system, not of the harness.
   */
  systemFailure: z.string().optional(),
  /**
   * For a step started on a condition (`when`): the condition as written, when it held (null: it never held by
   * its deadline, and the step did not run) and over which seconds. The step's `calledAtMs` is when it then started.
   */
  trigger: z.object({ condition: z.string(), heldAtMs: z.number().nullable(), held: z.string().optional() }).optional(),
  /** For a restore step: every completed backup its backup node listed when the step began. */
  backups: z.array(BackupRecord).optional(),
});
export type FaultRecord = z.infer<typeof FaultRecord>;

export const ContainerEvent = z.object({
  atMs: z.number(),
  node: z.string(),
  /** Docker event action: die, start, kill, pause, unpause, oom, ... */
  action: z.string(),
  exitCode: z.number().int().optional(),
});
export type ContainerEvent = z.infer<typeof ContainerEvent>;

/** How a read of a store ended: see env/readback/readback-kind.ts. */
export const ReadOutcomeKind = z.enum(["ok", "store-lost", "unreachable"]);

/** The readback of one traffic class's store, as it went. */
export const ReadbackRecord = z.object({
  /** Node read (for `from: { primaryOf }` the primary found at readback time); null when none was found. */
  node: z.string().nullable(),
  /** What was read: the query, key or path. */
  what: z.string(),
  outcome: ReadOutcomeKind,
  attempts: z.number().int(),
  /** From the first attempt to the last answer, ms. */
  elapsedMs: z.number(),
  /** How long an unreachable store was retried before giving up, ms. */
  retryForMs: z.number(),
  /** The error of the last attempt when not ok, or a note (e.g. two primaries answered). */
  why: z.string().optional(),
});
export type ReadbackRecord = z.infer<typeof ReadbackRecord>;

/** One node's ids compared with the primary's after the tail (the convergence check). Samples hold at most 20 ids. */
export const ReplicaRead = z.object({
  node: z.string(),
  outcome: ReadOutcomeKind,
  /** Ids the node holds; null when it could not be read. */
  count: z.number().int().nullable(),
  /** Ids the primary holds and this node does not. */
  lacking: z.number().int(),
  /** Ids this node holds and the primary does not. */
  extra: z.number().int(),
  lackingSample: z.array(z.string()),
  extraSample: z.array(z.string()),
  attempts: z.number().int(),
  elapsedMs: z.number(),
  why: z.string().optional(),
});
export type ReplicaRead = z.infer<typeof ReplicaRead>;

/** Per traffic class: ids the system acknowledged, refused, or left unknown, and ids read back afterwards. */
export const WriteSets = z.object({
  acknowledged: z.array(z.string()),
  /**
   * When each acknowledged id was first acknowledged (its answer), ms from traffic start, in the order of
   * `acknowledged`; null where unknown. Absent in histories saved before it was recorded.
   */
  acknowledgedAtMs: z.array(z.number().nullable()).optional(),
  unknown: z.array(z.string()),
  /** Ids whose every attempt failed definitely. Absent in histories saved before it was recorded. */
  failed: z.array(z.string()).default([]),
  /** null when the store could not be read back; [] when it answered but had lost what it held (see readback). */
  stored: z.array(z.string()).nullable(),
  /** How the readback went. Absent in histories saved before it was recorded. */
  readback: ReadbackRecord.optional(),
  /** Every node's ids against the primary's, when the readback asks for convergence. */
  convergence: z.array(ReplicaRead).optional(),
});
export type WriteSets = z.infer<typeof WriteSets>;

/**
 * One numeric signal of one node, sampled by a `series` probe (core/probe-spec.ts): [ms from traffic start, value].
 * A null value is a sample the node did not give (it did not answer, or printed no line for the series): a gap, never
 * a line drawn across the time it was down.
 */
export const ProbeSeries = z.object({
  probe: z.string(),
  node: z.string(),
  /** The series name the probe printed, e.g. "lag_bytes:pg-2". */
  series: z.string(),
  unit: z.string(),
  points: z.array(z.tuple([z.number(), z.number().nullable()])),
  /** Samples that named a state besides the value (`<series> <number> <state>`, e.g. "disconnected"): [ms, state]. */
  states: z.array(z.tuple([z.number(), z.string()])).optional(),
});
export type ProbeSeries = z.infer<typeof ProbeSeries>;

/** Which nodes of a role led, from a `leader` probe: one entry per change (the first sample included). */
export const LeaderChange = z.object({
  probe: z.string(),
  role: z.string(),
  /** When the sample that saw the change was taken, ms from traffic start. */
  atMs: z.number(),
  /** Nodes answering "I lead" (two or more at once is a split brain; none is a leaderless stretch). */
  leaders: z.array(z.string()),
  /** Nodes that did not answer the check in time (paused, killed, cut off). */
  unreachable: z.array(z.string()),
  /** The leaders of the previous sample. */
  previous: z.array(z.string()),
});
export type LeaderChange = z.infer<typeof LeaderChange>;

export const History = z.object({
  runId: z.string(),
  scenario: z.string(),
  seed: z.number(),
  /** Wall-clock time of traffic start, epoch ms: the origin of every `...Ms` field. */
  trafficStartEpochMs: z.number(),
  /** Traffic end, ms from traffic start. */
  trafficEndMs: z.number(),
  timeline: z.array(TimelineBucket),
  faults: z.array(FaultRecord),
  containerEvents: z.array(ContainerEvent),
  writes: z.record(z.string(), WriteSets),
  /** Iterations the load generator could not start in time, per traffic class (k6 dropped_iterations). */
  droppedIterations: z.record(z.string(), z.number().int()),
  /**
   * Set when the harness lost control of the run (container engine unreachable, load generator died, a fault the
   * harness could not inject or heal for reasons of its own): the experiment is void from `fromMs` (ms from traffic
   * start; null: before traffic started) and every SLO is an error, whatever it would say.
   */
  controlLost: z.object({ fromMs: z.number().nullable(), reason: z.string() }).optional(),
  /** The system's own signals (topology probes), on the run clock. Absent when the topology declares none. */
  probes: z.object({ series: z.array(ProbeSeries), leaderChanges: z.array(LeaderChange), samples: z.number().int() }).optional(),
  /**
   * Every op per traffic class (core/op-trace.ts): outage, failover and availability are computed from the ops'
   * own times in ms. Absent in histories saved before it was recorded (checks then fall back to the 1 s timeline).
   */
  ops: z.record(z.string(), OpTrace).optional(),
  /** The same, per second where any were dropped (sums to droppedIterations for k6 classes). */
  droppedBySecond: z.array(z.object({ traffic: z.string(), second: z.number().int(), count: z.number().int().min(1) })).default([]),
});
export type History = z.infer<typeof History>;
