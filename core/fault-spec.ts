import { z } from "zod";
import { DurationMs } from "./duration.ts";
import { Selector } from "./selector.ts";

/** Fields every scheduled fault has. Times count from the start of traffic. */
const scheduled = {
  /** Unique id used by SLO windows and reports. Default: "<kind>-<index>". */
  id: z.string().regex(/^[a-zA-Z0-9_.-]+$/, "expected letters, digits, '_', '.' or '-'").optional(),
  target: Selector,
  /** When to inject, from traffic start. */
  at: DurationMs,
  /** How long the fault lasts; heal runs at `at + for`. Omitted: healed at the end of traffic. */
  for: DurationMs.optional(),
};

export const Signal = z.enum(["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGSTOP"]);

/** Kill the target's main process with a signal; heal starts the container again. */
export const KillFault = z.object({ kind: z.literal("kill"), ...scheduled, signal: Signal.default("SIGKILL") }).strict();

/** Stop gracefully (SIGTERM, then SIGKILL after `timeoutMs`); heal starts it again. */
export const StopFault = z.object({ kind: z.literal("stop"), ...scheduled, timeoutMs: DurationMs.default(10_000) }).strict();

/** Freeze every process of the target (cgroup freezer); heal unpauses. */
export const PauseFault = z.object({ kind: z.literal("pause"), ...scheduled }).strict();

export const FaultSpec = z.discriminatedUnion("kind", [KillFault, StopFault, PauseFault]);
export type FaultSpec = z.infer<typeof FaultSpec>;
export type FaultSpecInput = z.input<typeof FaultSpec>;
export type FaultKind = FaultSpec["kind"];
