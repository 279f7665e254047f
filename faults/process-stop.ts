import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { restartTargets } from "./restart-targets.ts";
import { z } from "zod";
import { Milliseconds } from "../core/duration.ts";
import { scheduled } from "./fault-fields.ts";

/** Stop gracefully (SIGTERM, then SIGKILL after `timeoutMs`); heal starts it again. */
export const StopFault = z.object({ kind: z.literal("stop"), ...scheduled, timeoutMs: Milliseconds.default(10_000) }).strict();

type Spec = z.infer<typeof StopFault>;

/** Graceful stop: SIGTERM, then SIGKILL after the timeout (docker stop). Heal starts the targets again. */
export const processStop: FaultKind<Spec> = {
  kind: "stop",
  schema: StopFault,
  effect: "down",
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const calledAt = ctx.clock.epochNow();
    const notes: string[] = [];
    await Promise.all(targets.map((t) => ctx.topology.container(t).stop({ t: Math.ceil(spec.timeoutMs / 1000) })));
    const deaths = await Promise.all(targets.map((t) => ctx.events.waitFor(t, "die", calledAt, 2_000)));
    deaths.forEach((d, i) => notes.push(`${targets[i]} stopped ${d ? `${Math.round(d.epochMs - calledAt)} ms after the call (exit ${d.exitCode ?? "?"})` : "(no die event seen)"}`));
    return {
      injectedAtMs: runMs(ctx.clock, Math.min(...deaths.map((d) => d?.epochMs ?? ctx.clock.epochNow()))),
      mechanism: `docker stop (SIGTERM, SIGKILL after ${spec.timeoutMs} ms)`,
      notes,
      heal: healOnce(async () => {
        await restartTargets(ctx, targets, notes);
        return runMs(ctx.clock);
      }),
    };
  },
};
