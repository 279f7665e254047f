import { z } from "zod";
import { errorMessage } from "../core/errors.ts";
import { ioOpSchema } from "../env/disks/lazyfs-control.ts";
import { scheduled } from "./fault-fields.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { checkLazyFsTargets, lazyFsGlobs, lazyFsVolumesOf, probeFile, probeRead, type LazyFsFaultTarget } from "./lazyfs-fault.ts";

/**
 * A failing disk: a share of the target's reads, writes or fsyncs under chosen paths fail with EIO, as Chaos
 * Mesh's IOChaos `fault` does. Acts through the target's lazyfs data volume (`dataVolume.kind: "lazyfs"`): the
 * daemon answers matching calls with EIO before they touch the disk (an injected write stores nothing; an injected
 * fsync leaves the data unsynced). Heal removes the rules. Nothing restarts: what the process does with an EIO is
 * the system's behaviour under test.
 */
export const IoErrorFault = z
  .object({
    kind: z.literal("io-error"),
    ...scheduled,
    /** Which calls fail: "read", "write" (also fallocate), "fsync" (also fdatasync) or "all". */
    op: ioOpSchema,
    /** Share of matching calls that fail, percent (0 < percent <= 100). Default 100. */
    percent: z.number().gt(0).max(100).default(100),
    /** Paths relative to the data volume's root (`*` within a segment, `**` across, `?` one character). Default ["**"]. */
    paths: lazyFsGlobs,
  })
  .strict();
export type IoErrorFault = z.infer<typeof IoErrorFault>;

/** How long injection waits for the first EIO to be counted (a read probe, or the system's own calls). */
const FIRST_EIO_DEADLINE_MS = 3_000;
const POLL_MS = 50;

/**
 * Verified in effect by lazyfs's own counter of injected EIOs: with reads among the ops, a read of a matching file
 * from the host (reads change nothing) until one fails with EIO; otherwise the system's own calls, polled up to 3 s.
 * A rule set that the system has not hit by then is noted as installed but not yet hit (a process idle on those
 * paths is not a failed injection). Heal clears the rules, proves the daemon holds none and notes how many EIOs the
 * fault injected.
 */
export const ioError: FaultKind<IoErrorFault> = {
  kind: "io-error",
  schema: IoErrorFault,
  effect: "degraded",
  check(spec, view, report, path) {
    checkLazyFsTargets("io-error", "it fails calls on that filesystem", spec.target, view, report, path);
  },
  async inject(ctx: FaultContext, spec: IoErrorFault, targets: readonly string[]): Promise<FaultHandle> {
    const volumes = lazyFsVolumesOf(ctx, "io-error", targets);
    const notes: string[] = [];
    const calledAt = ctx.clock.epochNow();
    const before = await Promise.all(volumes.map((v) => v.stats()));
    for (const v of volumes) for (const glob of spec.paths) await v.ioError({ op: spec.op, percent: spec.percent, glob });
    const installedAt = ctx.clock.epochNow();
    const firsts = await Promise.all(volumes.map((v, i) => firstEio(v, before[i]!.eioInjected, spec, () => ctx.clock.epochNow())));
    firsts.forEach((first, i) => {
      const t = targets[i]!;
      notes.push(
        first
          ? `${t}: ${spec.paths.length} rule(s) installed; first EIO counted ${Math.round(first.atMs - installedAt)} ms later (${first.how})`
          : `${t}: ${spec.paths.length} rule(s) installed; no matching call within ${FIRST_EIO_DEADLINE_MS} ms (the system had not touched ${spec.paths.join(", ")} for ${spec.op})`,
      );
    });
    return {
      injectedAtMs: runMs(ctx.clock, installedAt),
      mechanism: `lazyfs eio rules (${spec.op}, ${spec.percent} %, ${spec.paths.join(", ")}) on the data volume, ${Math.round(installedAt - calledAt)} ms after the call`,
      notes,
      heal: healOnce(async () => {
        try {
          await Promise.all(
            volumes.map(async (v, i) => {
              const target = targets[i]!;
              await v.clearFaults();
              const after = await v.stats();
              if (after.rules !== 0) throw new Error(`${target}: lazyfs still holds ${after.rules} rule(s) after clear`);
              notes.push(`${target}: ${after.eioInjected - before[i]!.eioInjected} EIO(s) injected in all; rules cleared`);
            }),
          );
        } catch (error) {
          throw new Error(`io-error heal: ${errorMessage(error)}`, { cause: error });
        }
        return runMs(ctx.clock);
      }),
    };
  },
};

/** Waits for lazyfs's EIO counter to pass `baseline`; with reads among the ops, probes a matching file meanwhile. */
async function firstEio(volume: LazyFsFaultTarget, baseline: number, spec: IoErrorFault, now: () => number): Promise<{ atMs: number; how: string } | undefined> {
  const deadline = now() + FIRST_EIO_DEADLINE_MS;
  const file = spec.op === "read" || spec.op === "all" ? await probeFile(volume.mountDir, spec.paths) : undefined;
  let probes = 0;
  while (now() < deadline) {
    if (file) {
      probes++;
      await probeRead(file);
    }
    const stats = await volume.stats();
    if (stats.eioInjected > baseline)
      return { atMs: now(), how: file ? `a read of ${file.slice(volume.mountDir.length + 1)} from the host, ${probes} probe(s)` : "the system's own calls" };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return undefined;
}
