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

/**
 * docker restart: SIGTERM, SIGKILL after `timeoutMs`, then start again at once. Verified by Docker's "die" and
 * "start" events; heal only waits for the ready probe (the container is already running again).
 */
export const RestartFault = z.object({ kind: z.literal("restart"), ...scheduled, timeoutMs: DurationMs.default(10_000) }).strict();

/**
 * SIGKILL the targets every `everyMs` for the fault's duration (until heal, or `for`); after each kill the
 * target is started again `restartDelayMs` after its death (by Docker's restart policy if it has one, else by
 * the fault). Heal stops the loop and leaves the targets running and ready. Each kill is a note with its
 * Docker event time.
 */
export const CrashLoopFault = z
  .object({
    kind: z.literal("crash-loop"),
    ...scheduled,
    /** Period between kills, ms. Default 5 s. */
    everyMs: DurationMs.default(5_000),
    /** Delay between a death and the start again, ms. Default 500 ms. Must leave time to start: < everyMs. */
    restartDelayMs: DurationMs.default(500),
    /** Upper bound on kills per target, whatever the duration. Default 1000. */
    maxKills: z.number().int().positive().default(1_000),
  })
  .strict()
  .refine((f) => f.restartDelayMs < f.everyMs, { message: "restartDelayMs must be shorter than everyMs", path: ["restartDelayMs"] });

/** Process faults, as members of the FaultSpec union. */
export const processFaults = [KillFault, StopFault, PauseFault, RestartFault, CrashLoopFault] as const;
