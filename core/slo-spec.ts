import { z } from "zod";
import { DurationMs } from "./duration.ts";

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

/** Successful requests / all requests of a traffic class in a window, in percent. */
export const AvailabilitySlo = z
  .object({ kind: z.literal("availability"), ...base, window: SloWindow.default({ kind: "run" }), atLeastPercent: z.number().min(0).max(100) })
  .strict();

/** Writes the system acknowledged that are missing when read back afterwards. */
export const LostWritesSlo = z.object({ kind: z.literal("lost-writes"), ...base, atMost: z.number().int().min(0).default(0) }).strict();

export const SloSpec = z.discriminatedUnion("kind", [AvailabilitySlo, LostWritesSlo]);
export type SloSpec = z.infer<typeof SloSpec>;
export type SloSpecInput = z.input<typeof SloSpec>;
