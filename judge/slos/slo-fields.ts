import { z } from "zod";
import { DurationMs } from "../../core/duration.ts";

/** The stretch of the run an SLO is judged over. Times count from traffic start. */
export const SloWindow = z.discriminatedUnion("kind", [
  /** From traffic start to traffic end. */
  z.object({ kind: z.literal("run") }).strict(),
  /** Relative to one fault: before injection, while active, or after heal (to traffic end). */
  z.object({ kind: z.literal("fault"), fault: z.string().min(1), phase: z.enum(["before", "during", "after"]) }).strict(),
  z.object({ kind: z.literal("interval"), from: DurationMs, to: DurationMs }).strict(),
]);
export type SloWindow = z.infer<typeof SloWindow>;

/** Fields every SLO has. */
export const sloBase = {
  /** Unique id, shown in reports and JUnit test case names. */
  id: z.string().regex(/^[a-zA-Z0-9_.-]+$/, "expected letters, digits, '_', '.' or '-'"),
  /** Traffic class the SLO reads. */
  traffic: z.string().min(1),
};

/** Which ops of the class count: every op (default), only writes, or only reads (e.g. failover of writes to a new leader). */
export const sloOps = z.enum(["all", "writes", "reads"]).default("all");

export const percent = z.number().min(0).max(100);

/** `window` with its default: the whole run. */
export const runWindow = SloWindow.default({ kind: "run" });
