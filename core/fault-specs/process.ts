import { z } from "zod";
import { DurationMs } from "../duration.ts";
import { scheduled } from "./scheduled.ts";

export const Signal = z.enum(["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGSTOP"]);

/** Kill the target's main process with a signal; heal starts the container again. */
export const KillFault = z.object({ kind: z.literal("kill"), ...scheduled, signal: Signal.default("SIGKILL") }).strict();

/** Stop gracefully (SIGTERM, then SIGKILL after `timeoutMs`); heal starts it again. */
export const StopFault = z.object({ kind: z.literal("stop"), ...scheduled, timeoutMs: DurationMs.default(10_000) }).strict();

/** Freeze every process of the target (cgroup freezer); heal unpauses. */
export const PauseFault = z.object({ kind: z.literal("pause"), ...scheduled }).strict();

/** Process faults, as members of the FaultSpec union. */
export const processFaults = [KillFault, StopFault, PauseFault] as const;
