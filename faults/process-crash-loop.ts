import { errorMessage } from "../core/errors.ts";
import { healOnce, ignoreDockerNoop, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { restartTargets } from "./restart-targets.ts";
import { z } from "zod";
import { Milliseconds } from "../core/duration.ts";
import { scheduled } from "./fault-fields.ts";

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
    everyMs: Milliseconds.default(5_000),
    /** Delay between a death and the start again, ms. Default 500 ms. Must leave time to start: < everyMs. */
    restartDelayMs: Milliseconds.default(500),
    /** Upper bound on kills per target, whatever the duration. Default 1000. */
    maxKills: z.number().int().positive().default(1_000),
  })
  .strict()
  .refine((f) => f.restartDelayMs < f.everyMs, { message: "restartDelayMs must be shorter than everyMs", path: ["restartDelayMs"] });

type Spec = z.infer<typeof CrashLoopFault>;

/** How long to wait for Docker to report a SIGKILLed process dead (measured 51-71 ms). */
const DEATH_DEADLINE_MS = 5_000;

/** A sleep that ends early when the loop is told to stop. */
class StopSignal {
  stopped = false;
  #wakers = new Set<() => void>();
  stop(): void {
    this.stopped = true;
    for (const wake of this.#wakers) wake();
  }
  sleep(ms: number): Promise<void> {
    if (this.stopped || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wakers.add(done);
    });
  }
}

/**
 * SIGKILLs the targets every `everyMs` until heal (or until `for` ran out, or `maxKills`); after each death the
 * target is started again `restartDelayMs` later, unless Docker's restart policy already did. The first round
 * is verified before inject returns (die events); every kill is a note with its Docker die-event time. Heal
 * stops the loop, waits for a round in flight, and starts the targets again and waits until they are ready.
 */
export const processCrashLoop: FaultKind<Spec> = {
  kind: "crash-loop",
  schema: CrashLoopFault,
  effect: "down",
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const notes: string[] = [];
    const stop = new StopSignal();
    let kills = 0;

    const killOne = async (target: string, round: number): Promise<number | undefined> => {
      const container = ctx.topology.container(target);
      const calledAt = ctx.clock.epochNow();
      try {
        await container.kill({ signal: "SIGKILL" });
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode;
        if (status === 409 || status === 404) {
          notes.push(`kill ${round}: ${target} not running at +${runMs(ctx.clock, calledAt)} ms, skipped`);
          return undefined;
        }
        throw error;
      }
      const death = await ctx.events.waitFor(target, "die", calledAt, DEATH_DEADLINE_MS);
      if (!death) throw new Error(`crash-loop: ${target} did not die within ${DEATH_DEADLINE_MS} ms of kill ${round}`);
      kills++;
      notes.push(`kill ${round}: ${target} died at +${runMs(ctx.clock, death.epochMs)} ms (Docker event, ${Math.round(death.epochMs - calledAt)} ms after the call, exit ${death.exitCode ?? "?"})`);
      void restartLater(target, round, death.epochMs);
      return death.epochMs;
    };

    const pendingStarts = new Set<Promise<void>>();
    const restartLater = (target: string, round: number, diedAt: number): Promise<void> => {
      const starting = (async () => {
        await stop.sleep(diedAt + spec.restartDelayMs - Date.now());
        if (stop.stopped) return; // heal starts it
        const container = ctx.topology.container(target);
        const running = (await container.inspect()).State.Running;
        if (!running) await ignoreDockerNoop(container.start());
        const started = await ctx.events.waitFor(target, "start", diedAt, 2_000);
        notes.push(`kill ${round}: ${target} started again at +${started ? runMs(ctx.clock, started.epochMs) : "?"} ms by ${running ? "Docker (restart policy)" : "the fault"}`);
      })().catch((error) => {
        notes.push(`kill ${round}: starting ${target} again failed: ${errorMessage(error)}`);
      });
      pendingStarts.add(starting);
      void starting.finally(() => pendingStarts.delete(starting));
      return starting;
    };

    const round = async (n: number): Promise<number[]> => (await Promise.all(targets.map((t) => killOne(t, n)))).filter((t): t is number => t !== undefined);

    const firstDeaths = await round(1);
    if (firstDeaths.length === 0) throw new Error(`crash-loop: no target was running to kill (${targets.join(", ")})`);
    const firstAt = Math.min(...firstDeaths);
    const endsAt = spec.for !== undefined ? firstAt + spec.for : Number.POSITIVE_INFINITY;

    const loop = (async () => {
      for (let n = 2; n <= spec.maxKills; n++) {
        const due = firstAt + (n - 1) * spec.everyMs;
        if (due >= endsAt) break;
        await stop.sleep(due - Date.now());
        if (stop.stopped) break;
        await round(n);
      }
    })().catch((error) => {
      notes.push(`crash loop stopped by an error: ${errorMessage(error)}`);
    });

    return {
      injectedAtMs: runMs(ctx.clock, firstAt),
      mechanism: `docker kill SIGKILL every ${spec.everyMs} ms, start again after ${spec.restartDelayMs} ms`,
      notes,
      heal: healOnce(async () => {
        stop.stop();
        await loop;
        await Promise.all([...pendingStarts]);
        notes.push(`crash loop stopped after ${kills} kill(s)`);
        await restartTargets(ctx, targets, notes);
        return runMs(ctx.clock);
      }),
    };
  },
};
