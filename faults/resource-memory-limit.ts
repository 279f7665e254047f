import type Dockerode from "dockerode";
import { errorMessage } from "../core/errors.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { STRESS_IMAGE, engineInfo, memoryUsageMb, removeSidecar, sidecarFaultId, startSidecar } from "./resource-sidecar.ts";
import { restartTargets } from "./restart-targets.ts";
import { z } from "zod";
import { scheduled } from "./fault-fields.ts";

/**
 * Lowers the target's memory limit (RAM and RAM+swap) to `megabytes`. When the target uses more, it is
 * OOM-killed ("oom" and "die" events, exit 137). On cgroup v1 the kernel refuses a limit below the current
 * usage, so there the limit goes just above the usage and a sidecar in the target's cgroup fills the gap,
 * which makes the kernel OOM-kill the target's own process. Heal restores the original limit and starts the
 * target again if it died.
 */
export const MemoryLimitFault = z
  .object({
    kind: z.literal("memory-limit"),
    ...scheduled,
    /** New limit, MiB (Docker's minimum is 6). */
    megabytes: z.number().int().min(6),
  })
  .strict();

type Spec = z.infer<typeof MemoryLimitFault>;

const MiB = 1024 * 1024;
const OOM_DEADLINE_MS = 10_000;

interface Lowered {
  target: string;
  original: { Memory: number; MemorySwap: number };
  sidecar?: Dockerode.Container;
}

/** cgroup v1 refuses a limit below what the cgroup cannot give back (runc: "unable to set memory limit"). */
function refusedBelowUsage(error: unknown): boolean {
  return /unable to set memory limit|device or resource busy/i.test(errorMessage(error));
}

async function update(container: Dockerode.Container, bytes: number, swapBytes = bytes): Promise<void> {
  await container.update({ Memory: bytes, MemorySwap: swapBytes });
}

/**
 * Lowers each target's memory limit (Memory and MemorySwap, so swap cannot absorb it) to `megabytes`.
 *
 * Where the target uses more: cgroup v2 OOM-kills at once. cgroup v1 (here) refuses the write instead
 * (measured: "unable to set memory limit to 33554432 (current usage: 67928064 ...)"), so the fault sets the limit
 * just above the usage (+8/16/32 MiB) and starts a sidecar in a child cgroup of the target's that writes to a
 * tmpfs until the limit is hit, with oom_score_adj -1000 (CAP_SYS_RESOURCE, where the engine can grant it) so the
 * kernel's OOM killer picks the target's process, not the filler. Verified by Docker's "oom" and "die" events (exit 137).
 * Where the target uses less: the limit is set and verified by inspect; no OOM is expected.
 *
 * Heal removes the filler, restores the original limit (Docker 20.10 cannot set "unlimited" back through
 * update: 0 is ignored and -1 refused, so an unlimited original becomes the engine's total memory) and starts
 * the target again and waits until it is ready if it died.
 */
export const memoryLimit: FaultKind<Spec> = {
  kind: "memory-limit",
  schema: MemoryLimitFault,
  effect: "down",
  sidecarImages: [STRESS_IMAGE],
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const notes: string[] = [];
    const lowered: Lowered[] = [];
    const calledAt = ctx.clock.epochNow();
    let effectAt = 0;
    const restore = async () => {
      for (const l of lowered) {
        if (l.sidecar) await removeSidecar(l.sidecar);
        const total = (await engineInfo(ctx.topology.engineOf(l.target).docker)).memoryBytes;
        const memory = l.original.Memory > 0 ? l.original.Memory : total;
        const swap = l.original.MemorySwap > 0 ? l.original.MemorySwap : l.original.Memory > 0 ? l.original.Memory * 2 : total;
        try {
          await update(ctx.topology.container(l.target), memory, swap);
        } catch (error) {
          if ((error as { statusCode?: number }).statusCode !== 404) throw error;
        }
        notes.push(`${l.target}: limit restored to ${l.original.Memory > 0 ? `${memory / MiB} MiB` : `unlimited (set as the engine's ${Math.round(total / MiB)} MiB)`}`);
      }
    };
    try {
      for (const target of targets) {
        const container = ctx.topology.container(target);
        const info = await container.inspect();
        const entry: Lowered = { target, original: { Memory: info.HostConfig.Memory ?? 0, MemorySwap: info.HostConfig.MemorySwap ?? 0 } };
        const usedMb = await memoryUsageMb(container);
        const since = ctx.clock.epochNow();
        try {
          await update(container, spec.megabytes * MiB);
          lowered.push(entry);
          if (usedMb <= spec.megabytes) {
            const now = (await container.inspect()).HostConfig.Memory;
            if (now !== spec.megabytes * MiB) throw new Error(`memory-limit: ${target} limit is ${now} after the update, not ${spec.megabytes} MiB`);
            effectAt = Math.max(effectAt, ctx.clock.epochNow());
            notes.push(`${target}: limit ${spec.megabytes} MiB set, usage ${usedMb.toFixed(1)} MiB is below it (no OOM expected)`);
            continue;
          }
          notes.push(`${target}: limit ${spec.megabytes} MiB set with usage ${usedMb.toFixed(1)} MiB (kernel OOM-kills)`);
        } catch (error) {
          if (!refusedBelowUsage(error)) throw error;
          let limitMb = 0;
          for (const margin of [8, 16, 32]) {
            const rawMb = await memoryUsageMb(container, true);
            limitMb = Math.max(spec.megabytes, Math.ceil(rawMb) + margin);
            try {
              await update(container, limitMb * MiB);
              break;
            } catch (retry) {
              if (!refusedBelowUsage(retry) || margin === 32) throw retry;
            }
          }
          lowered.push(entry);
          const fillMb = limitMb + 16;
          // -1000 needs CAP_SYS_RESOURCE; where the engine cannot grant it (this microVM's bounding set lacks it:
          // "unable to apply caps"), the filler keeps 0 and is still not the victim: tmpfs pages written with
          // write() are not in its RSS, so its OOM badness is its ~1 MiB against the target's whole RSS.
          const script = `echo -1000 > /proc/self/oom_score_adj 2>/dev/null; exec dd if=/dev/zero of=/havoc-fill/fill bs=64k count=${fillMb * 16} status=none`;
          const filler = (capAdd?: string[]) =>
            startSidecar(ctx, { faultId: sidecarFaultId(spec), target, entrypoint: ["sh", "-c"], command: [script], ...(capAdd ? { capAdd } : {}), tmpfs: { "/havoc-fill": `size=${fillMb + 8}m` } });
          let started: Awaited<ReturnType<typeof filler>>;
          let immunity = "oom_score_adj -1000";
          try {
            started = await filler(["SYS_RESOURCE"]);
          } catch (capError) {
            if (!/apply caps|operation not permitted/i.test(errorMessage(capError))) throw capError;
            started = await filler();
            immunity = "oom_score_adj 0: the engine cannot grant CAP_SYS_RESOURCE";
          }
          const { container: sidecar, note } = started;
          entry.sidecar = sidecar;
          notes.push(
            `${target}: cgroup v1 refused ${spec.megabytes} MiB below the usage (${usedMb.toFixed(1)} MiB); limit set to ${limitMb} MiB and ${fillMb} MiB of tmpfs written by a filler (${immunity}; ${note})`,
          );
        }
        const oom = await ctx.events.waitFor(target, "oom", since, OOM_DEADLINE_MS);
        if (!oom) throw new Error(`memory-limit: no "oom" event for ${target} within ${OOM_DEADLINE_MS} ms`);
        // The OOM killer picks the biggest process of the cgroup: the container dies only when that is its main one.
        const die = await ctx.events.waitFor(target, "die", since, 2_000);
        effectAt = Math.max(effectAt, oom.epochMs);
        notes.push(`${target}: OOM kill ${Math.round(oom.epochMs - since)} ms after the update; ${die ? `container died (exit ${die.exitCode ?? "?"})` : "container still running (a child process was the victim)"}`);
      }
    } catch (error) {
      await restore().catch((e) => notes.push(`undo after a failed inject failed: ${errorMessage(e)}`));
      throw error;
    }
    notes.push(`injected ${Math.round(effectAt - calledAt)} ms after the call`);
    return {
      injectedAtMs: runMs(ctx.clock, effectAt),
      mechanism: `docker update --memory ${spec.megabytes}m --memory-swap ${spec.megabytes}m`,
      notes,
      heal: healOnce(async () => {
        try {
          await restore();
          await restartTargets(ctx, targets, notes);
        } catch (error) {
          notes.push(`heal failed: ${errorMessage(error)}`);
          throw error;
        }
        return runMs(ctx.clock);
      }),
    };
  },
};
