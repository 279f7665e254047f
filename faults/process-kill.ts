import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { restartTargets } from "./restart-targets.ts";
import { z } from "zod";
import { scheduled } from "./fault-fields.ts";

export const Signal = z.enum(["SIGKILL", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGSTOP"]);

/** Kill the target's main process with a signal; heal starts the container again. */
export const KillFault = z.object({ kind: z.literal("kill"), ...scheduled, signal: Signal.default("SIGKILL") }).strict();

type Spec = z.infer<typeof KillFault>;

/** How long to wait for Docker to report the process dead (measured 51-71 ms). */
const DEATH_DEADLINE_MS = 5_000;

/**
 * Sends a signal to each target's main process. Verified by Docker's "die" event (for signals that end
 * the process) and by inspect; the effect time is the die event's timestamp. Heal starts the containers
 * again and waits for their ready probes.
 */
export const processKill: FaultKind<Spec> = {
  kind: "kill",
  schema: KillFault,
  effect: "down",
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const calledAt = ctx.clock.epochNow();
    const notes: string[] = [];
    await Promise.all(targets.map((t) => ctx.topology.container(t).kill({ signal: spec.signal })));
    const deaths = await Promise.all(targets.map((t) => ctx.events.waitFor(t, "die", calledAt, DEATH_DEADLINE_MS)));
    const endsProcess = spec.signal === "SIGKILL" || spec.signal === "SIGTERM" || spec.signal === "SIGINT" || spec.signal === "SIGQUIT";
    deaths.forEach((death, i) => {
      if (death) notes.push(`${targets[i]} died ${Math.round(death.epochMs - calledAt)} ms after the call (exit ${death.exitCode ?? "?"})`);
      else if (endsProcess) throw new Error(`kill ${spec.signal}: ${targets[i]} did not die within ${DEATH_DEADLINE_MS} ms`);
    });
    const effectEpochMs = Math.min(...deaths.map((d) => d?.epochMs ?? ctx.clock.epochNow()));
    return {
      injectedAtMs: runMs(ctx.clock, effectEpochMs),
      mechanism: `docker kill ${spec.signal}`,
      notes,
      heal: healOnce(async () => {
        await restartTargets(ctx, targets, notes);
        return runMs(ctx.clock);
      }),
    };
  },
};

