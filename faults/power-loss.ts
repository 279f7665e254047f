import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { scheduled } from "./fault-fields.ts";
import { checkLazyFsTargets, lazyFsVolumesOf } from "./lazyfs-fault.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { restartTargets } from "./restart-targets.ts";
import { NodeNotReadyError } from "../env/topology/ready-probe.ts";

/**
 * A power cut: each target's processes are SIGKILLed and every write on its data volume that was not fsynced is
 * discarded. A SIGKILL alone loses nothing the process handed to the kernel (the page cache keeps it); a power cut
 * loses what never reached the disk. Targets need a `dataVolume` of kind "lazyfs". Heal starts them again.
 */
export const PowerLossFault = z.object({ kind: z.literal("power-loss"), ...scheduled }).strict();
export type PowerLossFault = z.infer<typeof PowerLossFault>;

/** How long to wait for Docker to report the process dead. */
const DEATH_DEADLINE_MS = 5_000;

/**
 * SIGKILL (Docker's `die` event proves it; the effect time is that event), then lazyfs's `lose` on each target's
 * volume, in that order so nothing writes between the loss and the death. Verified: lazyfs reports what it dropped
 * (bytes and files, in the notes) and then holds no unfsynced byte. Heal starts the targets and waits for their ready
 * probes; they recover from whatever their data directory kept.
 */
export const powerLoss: FaultKind<PowerLossFault> = {
  kind: "power-loss",
  schema: PowerLossFault,
  effect: "down",
  check(spec, view, report, path) {
    checkLazyFsTargets("power-loss", "a filesystem that can lose unfsynced writes", spec.target, view, report, path);
  },
  async inject(ctx: FaultContext, _spec: PowerLossFault, targets: readonly string[]): Promise<FaultHandle> {
    const volumes = lazyFsVolumesOf(ctx, "power-loss", targets);
    const notes: string[] = [];
    const calledAt = ctx.clock.epochNow();
    await Promise.all(targets.map((t) => ctx.topology.container(t).kill({ signal: "SIGKILL" })));
    const deaths = await Promise.all(targets.map((t) => ctx.events.waitFor(t, "die", calledAt, DEATH_DEADLINE_MS)));
    deaths.forEach((death, i) => {
      if (!death) throw new Error(`power-loss: ${targets[i]} did not die within ${DEATH_DEADLINE_MS} ms of SIGKILL`);
    });
    await Promise.all(
      targets.map(async (t, i) => {
        const lost = await volumes[i]!.lose();
        const after = await volumes[i]!.stats();
        if (after.dirtyBytes !== 0 || after.dirtyFiles !== 0)
          throw new Error(`power-loss: ${t}: lazyfs still holds ${after.dirtyBytes} unfsynced bytes in ${after.dirtyFiles} files after the loss`);
        const died = Math.round(deaths[i]!.epochMs - calledAt);
        notes.push(`${t}: died ${died} ms after the call (exit ${deaths[i]!.exitCode ?? "?"}); ${lost.bytes} unfsynced bytes in ${lost.files} file(s) dropped, ${Math.round(ctx.clock.epochNow() - calledAt)} ms after the call`);
      }),
    );
    return {
      injectedAtMs: runMs(ctx.clock, Math.min(...deaths.map((d) => d!.epochMs))),
      mechanism: "docker kill SIGKILL, then lazyfs lose (every unfsynced write on the data volume discarded)",
      notes,
      heal: healOnce(async () => {
        try {
          await restartTargets(ctx, targets, notes);
        } catch (error) {
          // A target that never became ready on what its disk kept is the system's failure, judged with the run
          // (engine/runner/fault-schedule.ts); wrapping it would make it the harness's and void the run.
          if (error instanceof NodeNotReadyError) throw error;
          throw new Error(`power-loss heal: ${errorMessage(error)}`, { cause: error });
        }
        return runMs(ctx.clock);
      }),
    };
  },
};
