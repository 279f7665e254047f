import { z } from "zod";
import { selectorPool } from "../core/selector.ts";
import { scheduled } from "./fault-fields.ts";
import { healOnce, ignoreDockerNoop, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { hostVolumeDir, wipeDir } from "./volume-wipe.ts";

/**
 * The targets' storage is destroyed: each is SIGKILLed and everything on its data volume is deleted, as when a disk
 * or a machine is lost. Unlike a restart of a node on a tmpfs (which comes back by itself, empty), the targets stay
 * down: nothing brings them back but a `restore` step (or the teardown). Heal undoes nothing: a destroyed disk does
 * not come back; it only ends the fault's band on the timeline. Targets need a `dataVolume` of kind "loop-ext4" or
 * "lazyfs" (a disk the harness can reach from the host).
 */
export const StorageDestroyFault = z.object({ kind: z.literal("storage-destroy"), ...scheduled }).strict();
export type StorageDestroyFault = z.infer<typeof StorageDestroyFault>;

/** How long to wait for Docker to report the process dead. */
const DEATH_DEADLINE_MS = 5_000;

/**
 * SIGKILL first (Docker's `die` event is the effect time), so nothing writes while the volume is wiped; verified by
 * the volume being empty afterwards (the notes say how many entries were deleted per node).
 */
export const storageDestroy: FaultKind<StorageDestroyFault> = {
  kind: "storage-destroy",
  schema: StorageDestroyFault,
  effect: "down",
  check(spec, view, report, path) {
    if (!view.topology || !view.nodesComplete || spec.target.names?.some((name) => !view.nodes?.has(name))) return;
    const pool = selectorPool(spec.target, view.topology.nodes);
    const without = pool.filter((name) => !hostVolumeDir("check", view.topology!.nodes.find((n) => n.name === name)?.dataVolume, name));
    if (pool.length > 0 && without.length > 0)
      report([...path, "target"], `storage-destroy needs nodes whose dataVolume.kind is "loop-ext4" or "lazyfs" (a disk the harness can wipe); these have none: ${without.join(", ")}`);
  },
  async inject(ctx: FaultContext, _spec: StorageDestroyFault, targets: readonly string[]): Promise<FaultHandle> {
    const dirs = targets.map((t) => {
      const dir = hostVolumeDir(ctx.topology.runId, ctx.topology.node(t).spec.dataVolume, t);
      if (!dir) throw new Error(`storage-destroy: node "${t}" has no loop-ext4 or lazyfs data volume`);
      return dir;
    });
    const notes: string[] = [];
    const calledAt = ctx.clock.epochNow();
    await Promise.all(targets.map((t) => ignoreDockerNoop(ctx.topology.container(t).kill({ signal: "SIGKILL" }))));
    // A target that was already down has no die event to wait for; its disk is wiped all the same.
    const deaths = await Promise.all(targets.map((t) => ctx.events.waitFor(t, "die", calledAt, DEATH_DEADLINE_MS)));
    await Promise.all(
      targets.map(async (t, i) => {
        const deleted = await wipeDir(dirs[i]!);
        const died = deaths[i] ? `died ${Math.round(deaths[i]!.epochMs - calledAt)} ms after the call (exit ${deaths[i]!.exitCode ?? "?"})` : "was not running";
        notes.push(`${t}: ${died}; data volume wiped (${deleted} entries deleted, empty), ${Math.round(ctx.clock.epochNow() - calledAt)} ms after the call`);
      }),
    );
    // The disaster is complete when the last target died: until then a target still running can acknowledge writes
    // (a database that dies a second after its backup disk did), and recovery-point judges against this time.
    const effectEpochMs = Math.max(...deaths.map((d) => d?.epochMs ?? calledAt));
    return {
      injectedAtMs: runMs(ctx.clock, effectEpochMs),
      mechanism: "docker kill SIGKILL, then every file of the data volume deleted (the node stays down)",
      notes,
      heal: healOnce(async () => {
        notes.push("heal: nothing to undo (a destroyed disk does not come back; a restore step brings the node back)");
        return runMs(ctx.clock);
      }),
    };
  },
};
