import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { ioOpSchema } from "../env/disks/lazyfs-control.ts";
import { scheduled } from "./fault-fields.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { checkLazyFsTargets, lazyFsGlobs, lazyFsVolumesOf, probeFile, probeRead, type LazyFsFaultTarget } from "./lazyfs-fault.ts";

/**
 * A slow disk: every matching read, write or fsync on the target's data volume waits `latencyMs` first, as Chaos
 * Mesh's IOChaos `latency` does. Acts through the target's lazyfs data volume (`dataVolume.kind: "lazyfs"`); heal
 * removes the rules.
 */
export const IoLatencyFault = z
  .object({
    kind: z.literal("io-latency"),
    ...scheduled,
    /** Which calls wait: "read", "write" (also fallocate), "fsync" (also fdatasync) or "all". */
    op: ioOpSchema,
    /** Added before each matching call, ms (at most 60 000). */
    latencyMs: z.number().int().positive().max(60_000),
    /** Paths relative to the data volume's root (`*` within a segment, `**` across, `?` one character). Default ["**"]. */
    paths: lazyFsGlobs,
  })
  .strict();
export type IoLatencyFault = z.infer<typeof IoLatencyFault>;

/** How long injection waits for the first delayed call to be counted when it cannot probe one itself. */
const FIRST_DELAY_DEADLINE_MS = 3_000;
const POLL_MS = 50;

/**
 * Verified in effect: with reads among the ops, a read of a matching file from the host is timed before and after
 * the rules (reads change nothing; each probe opens the file afresh so it reaches the daemon) and must take at least
 * `latencyMs` with them; otherwise lazyfs's counter of delayed calls must grow from the system's own calls, polled up
 * to 3 s (a system idle on those paths is noted, not a failed injection). Heal clears the rules and, with a read
 * probe, proves the added time is gone.
 */
export const ioLatency: FaultKind<IoLatencyFault> = {
  kind: "io-latency",
  schema: IoLatencyFault,
  effect: "degraded",
  check(spec, view, report, path) {
    checkLazyFsTargets("io-latency", "it delays calls on that filesystem", spec.target, view, report, path);
  },
  async inject(ctx: FaultContext, spec: IoLatencyFault, targets: readonly string[]): Promise<FaultHandle> {
    const volumes = lazyFsVolumesOf(ctx, "io-latency", targets);
    const reads = spec.op === "read" || spec.op === "all";
    const probes = await Promise.all(volumes.map((v) => (reads ? probeFile(v.mountDir, spec.paths) : Promise.resolve(undefined))));
    const before = await Promise.all(volumes.map(async (v, i) => ({ stats: await v.stats(), probeMs: probes[i] ? (await probeRead(probes[i]!)).ms : undefined })));
    const calledAt = ctx.clock.epochNow();
    for (const v of volumes) for (const glob of spec.paths) await v.ioLatency({ op: spec.op, latencyMs: spec.latencyMs, glob });
    const installedAt = ctx.clock.epochNow();
    const notes: string[] = [];
    await Promise.all(
      volumes.map(async (v, i) => {
        const t = targets[i]!;
        const file = probes[i];
        if (file) {
          const after = await probeRead(file);
          const added = after.ms - before[i]!.probeMs!;
          const name = file.slice(v.mountDir.length + 1);
          if (after.code) throw new Error(`io-latency: ${t}: the probe read of ${name} failed with ${after.code}`);
          // The daemon sleeps before the call, so a read under the rules cannot take less than latencyMs; the
          // difference from the read before is only reported (on a loaded machine either read may be slow).
          if (after.ms < spec.latencyMs)
            throw new Error(`io-latency: ${t}: a read of ${name} took ${after.ms.toFixed(1)} ms with the rules (${before[i]!.probeMs!.toFixed(1)} ms before): less than the ${spec.latencyMs} ms asked`);
          notes.push(`${t}: probe read of ${name}: ${before[i]!.probeMs!.toFixed(1)} ms before, ${after.ms.toFixed(1)} ms with the rules (+${added.toFixed(1)} ms, ${spec.latencyMs} asked)`);
        } else {
          const delayed = await firstDelay(v, before[i]!.stats.delaysInjected, () => ctx.clock.epochNow());
          notes.push(
            delayed === undefined
              ? `${t}: ${spec.paths.length} rule(s) installed; no matching call within ${FIRST_DELAY_DEADLINE_MS} ms (the system had not touched ${spec.paths.join(", ")} for ${spec.op})`
              : `${t}: ${spec.paths.length} rule(s) installed; first delayed call counted ${Math.round(delayed - installedAt)} ms later (the system's own calls)`,
          );
        }
      }),
    );
    return {
      injectedAtMs: runMs(ctx.clock, installedAt),
      mechanism: `lazyfs latency rules (+${spec.latencyMs} ms on ${spec.op}, ${spec.paths.join(", ")}) on the data volume, ${Math.round(installedAt - calledAt)} ms after the call`,
      notes,
      heal: healOnce(async () => {
        try {
          await Promise.all(
            volumes.map(async (v, i) => {
              const t = targets[i]!;
              await v.clearFaults();
              const after = await v.stats();
              if (after.rules !== 0) throw new Error(`${t}: lazyfs still holds ${after.rules} rule(s) after clear`);
              const delayed = after.delaysInjected - before[i]!.stats.delaysInjected;
              const file = probes[i];
              const healed = file ? await probeRead(file) : undefined;
              notes.push(`${t}: ${delayed} call(s) delayed in all; rules cleared${healed ? `; probe read ${healed.ms.toFixed(1)} ms after the heal` : ""}`);
            }),
          );
        } catch (error) {
          throw new Error(`io-latency heal: ${errorMessage(error)}`, { cause: error });
        }
        return runMs(ctx.clock);
      }),
    };
  },
};

/** The epoch ms at which lazyfs's delayed-call counter passed `baseline`; undefined past the deadline. */
async function firstDelay(volume: LazyFsFaultTarget, baseline: number, now: () => number): Promise<number | undefined> {
  const deadline = now() + FIRST_DELAY_DEADLINE_MS;
  while (now() < deadline) {
    if ((await volume.stats()).delaysInjected > baseline) return now();
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return undefined;
}
