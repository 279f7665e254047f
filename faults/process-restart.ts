import { errorMessage } from "../core/errors.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { z } from "zod";
import { Milliseconds } from "../core/duration.ts";
import { scheduled } from "./fault-fields.ts";

/**
 * docker restart: SIGTERM, SIGKILL after `timeoutMs`, then start again at once. Verified by Docker's "die" and
 * "start" events; heal only waits for the ready probe (the container is already running again).
 */
export const RestartFault = z.object({ kind: z.literal("restart"), ...scheduled, timeoutMs: Milliseconds.default(10_000) }).strict();

type Spec = z.infer<typeof RestartFault>;

/**
 * docker restart (SIGTERM, SIGKILL after the timeout, start again). The call returns once the container runs
 * again; the effect is verified by Docker's "die" then "start" events, and the effect time is the die event.
 * Heal has nothing to undo: it waits for the ready probes.
 */
export const processRestart: FaultKind<Spec> = {
  kind: "restart",
  schema: RestartFault,
  effect: "down",
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const calledAt = ctx.clock.epochNow();
    const notes: string[] = [];
    await Promise.all(targets.map((t) => ctx.topology.container(t).restart({ t: Math.ceil(spec.timeoutMs / 1000) })));
    const seen = await Promise.all(
      targets.map(async (t) => {
        const die = await ctx.events.waitFor(t, "die", calledAt, 5_000);
        if (!die) throw new Error(`restart: no "die" event for ${t}`);
        const start = await ctx.events.waitFor(t, "start", die.epochMs, 5_000);
        if (!start) throw new Error(`restart: no "start" event for ${t} after its death`);
        notes.push(`${t} died ${Math.round(die.epochMs - calledAt)} ms after the call (exit ${die.exitCode ?? "?"}), started ${Math.round(start.epochMs - die.epochMs)} ms later`);
        return die;
      }),
    );
    return {
      injectedAtMs: runMs(ctx.clock, Math.min(...seen.map((d) => d.epochMs))),
      mechanism: `docker restart (SIGTERM, SIGKILL after ${spec.timeoutMs} ms)`,
      notes,
      heal: healOnce(async () => {
        try {
          await Promise.all(
            targets.map(async (t) => {
              const ms = await ctx.topology.waitReady(t);
              notes.push(`${t} ready (probe ${ms} ms)`);
            }),
          );
        } catch (error) {
          const status = (error as { statusCode?: number }).statusCode;
          if (status !== 404) {
            notes.push(`heal failed: ${errorMessage(error)}`);
            throw error;
          }
        }
        return runMs(ctx.clock);
      }),
    };
  },
};
