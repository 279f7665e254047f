import { z } from "zod";
import { DurationMs } from "../core/duration.ts";

/** The stretch of the run an SLO is judged over. Times count from traffic start. */
export const SloWindow = z.discriminatedUnion("kind", [
  /** From traffic start to traffic end. */
  z.object({ kind: z.literal("run") }).strict(),
  /** Relative to one fault: before injection, while active, or after heal (to traffic end). */
  z.object({ kind: z.literal("fault"), fault: z.string().min(1), phase: z.enum(["before", "during", "after"]) }).strict(),
  z.object({ kind: z.literal("interval"), from: DurationMs, to: DurationMs }).strict(),
]);
export type SloWindow = z.infer<typeof SloWindow>;

const base = {
  /** Unique id, shown in reports and JUnit test case names. */
  id: z.string().regex(/^[a-zA-Z0-9_.-]+$/, "expected letters, digits, '_', '.' or '-'"),
  /** Traffic class the SLO reads. */
  traffic: z.string().min(1),
};

/** Which ops of the class count: every op (default), only writes, or only reads (e.g. failover of writes to a new leader). */
const ops = z.enum(["all", "writes", "reads"]).default("all");

/** Successful requests / all requests of a traffic class in a window, in percent. */
export const AvailabilitySlo = z
  .object({ kind: z.literal("availability"), ...base, ops, window: SloWindow.default({ kind: "run" }), atLeastPercent: z.number().min(0).max(100) })
  .strict();

/** Writes the system acknowledged that are missing when read back afterwards. */
export const LostWritesSlo = z.object({ kind: z.literal("lost-writes"), ...base, atMost: z.number().int().min(0).default(0) }).strict();

const percent = z.number().min(0).max(100);

/**
 * The longest continuous outage of a traffic class in a window, in ms from the ops' own times: it starts at a failed
 * op when the ops started in the next second are below `downBelowPercent` ok, and ends at the answer of the first ok
 * op after which the next second's ops are at or above it again (reports/slo/op-window.ts). Histories without an op
 * trace fall back to whole seconds.
 */
export const LongestOutageSlo = z
  .object({ kind: z.literal("longest-outage"), ...base, ops, window: SloWindow.default({ kind: "run" }), atMost: DurationMs, downBelowPercent: percent.default(50) })
  .strict();

/**
 * Failover or recovery time of one fault, in ms: from its injection (`from: "inject"`, failover) or its heal
 * (`from: "heal"`, recovery) to the answer of the first ok op after which the ops started in the next `stableFor`
 * stay at `atLeastPercent` ok; 0 when no op failed. With `ops: "writes"`, the time until writes are acknowledged
 * again (a new leader). Histories without an op trace fall back to whole seconds.
 */
export const RecoveryTimeSlo = z
  .object({
    kind: z.literal("recovery-time"),
    ...base,
    ops,
    fault: z.string().min(1),
    from: z.enum(["inject", "heal"]).default("inject"),
    atMost: DurationMs,
    atLeastPercent: percent.default(99),
    stableFor: DurationMs.default(5_000),
  })
  .strict();

/** A latency percentile over every request of a traffic class in a window (failed requests included). */
export const LatencySlo = z
  .object({ kind: z.literal("latency"), ...base, ops, window: SloWindow.default({ kind: "run" }), percentile: z.number().gt(0).max(100), atMostMs: z.number().positive() })
  .strict();

/** Reads that checked the client's own last acknowledged write and did not see it (user-sessions classes). */
export const StaleReadsSlo = z
  .object({ kind: z.literal("stale-reads"), ...base, window: SloWindow.default({ kind: "run" }), atMost: z.number().int().min(0).default(0) })
  .strict();

/**
 * Iterations the load generator could not start in time. Over the limit the verdict is unknown, never fail:
 * the system was not offered the load, so nothing is proven either way.
 */
export const DroppedIterationsSlo = z.object({ kind: z.literal("dropped-iterations"), ...base, atMost: z.number().int().min(0).default(0) }).strict();

/**
 * After the fault-free tail, every node of the readback's `convergence` set holds the same ids as the primary
 * (Jepsen's final reads on every node). A node that lacks ids or holds extra ones has diverged (a rewound or
 * split-brained node); it is named with samples of those ids. Needs a readback of `traffic` with `convergence`.
 */
export const ConvergenceSlo = z
  .object({
    kind: z.literal("convergence"),
    ...base,
    /** Diverged nodes allowed. Default 0. */
    atMost: z.number().int().min(0).default(0),
  })
  .strict();

export const SloSpec = z.discriminatedUnion("kind", [AvailabilitySlo, LostWritesSlo, LongestOutageSlo, RecoveryTimeSlo, LatencySlo, StaleReadsSlo, DroppedIterationsSlo, ConvergenceSlo]);
export type SloSpec = z.infer<typeof SloSpec>;
export type SloSpecInput = z.input<typeof SloSpec>;
