import { execFile } from "node:child_process";
import { rm, statfs } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { errorMessage } from "../core/errors.ts";
import type { DataVolume } from "../core/topology.ts";
import { diskPaths } from "../env/disks/run-disks.ts";
import { healOnce, runMs, type FaultContext, type FaultHandle, type FaultKind } from "./fault.ts";
import { z } from "zod";
import { selectorPool } from "../core/selector.ts";
import { scheduled } from "./fault-fields.ts";

/**
 * Fills the target's data volume (core/topology.ts `dataVolume`) with a filler file until `leaveFreeBytes` remain
 * (0: completely full: writes fail with ENOSPC "No space left on device"). Heal deletes the filler. Targets must be
 * nodes with a dataVolume; the node's own container layer (the host's disk) is never filled.
 */
export const DiskFillFault = z
  .object({
    kind: z.literal("disk-fill"),
    ...scheduled,
    /** Bytes left free after the fill. Default 0 (completely full). */
    leaveFreeBytes: z.number().int().min(0).default(0),
  })
  .strict();
export type DiskFillFault = z.infer<typeof DiskFillFault>;

const run = promisify(execFile);

/** Filler files are named `<prefix><n>` at the root of the volume. */
const FILLER_PREFIX = ".havoc-disk-fill-";
/** "Full" allows this many blocks of slack over leaveFreeBytes (ext4 extent metadata needs a few). */
const SLACK_BLOCKS = 4;
const MAX_FILLERS = 16;
const HEAL_VERIFY_DEADLINE_MS = 5_000;

async function freeBytes(dir: string): Promise<{ free: number; blockSize: number }> {
  const s = await statfs(dir);
  return { free: s.bavail * s.bsize, blockSize: s.bsize };
}

/**
 * Where the harness reaches a node's volume from the host. loop-ext4: the host mount point (stable across restarts).
 * tmpfs: the mount lives only in the container's mount namespace, reached through /proc/<pid>/root (the harness
 * runs as root beside the engine); undefined when the container is not running (a stopped container's tmpfs is gone).
 */
async function volumeDir(ctx: FaultContext, node: string, volume: DataVolume): Promise<string | undefined> {
  if (volume.kind === "loop-ext4" || volume.kind === "lazyfs") return diskPaths(ctx.topology.runId, node).mountDir;
  const state = await ctx.topology
    .container(node)
    .inspect()
    .then((i) => i.State)
    .catch(() => undefined);
  if (!state?.Running || !state.Pid) return undefined;
  return join(`/proc/${state.Pid}/root`, volume.path);
}

/** Fills `dir` until at most leaveFree + slack bytes are free; returns the filler paths and bytes written. */
async function fill(dir: string, leaveFree: number): Promise<{ files: string[]; bytes: number; free: number }> {
  const files: string[] = [];
  let bytes = 0;
  let { free, blockSize } = await freeBytes(dir);
  // fallocate reserves blocks without writing them (milliseconds for any size). Its extent metadata takes blocks
  // too, so the last bytes are taken by further, smaller files; a size that no longer fits is halved.
  let ask = Math.floor((free - leaveFree) / blockSize) * blockSize;
  while (free > leaveFree + SLACK_BLOCKS * blockSize && ask >= blockSize && files.length < MAX_FILLERS) {
    const file = join(dir, `${FILLER_PREFIX}${files.length}`);
    try {
      await run("fallocate", ["-l", String(ask), file]);
      files.push(file);
      bytes += ask;
    } catch {
      await rm(file, { force: true });
      ask = Math.floor(ask / 2 / blockSize) * blockSize;
      continue;
    }
    ({ free } = await freeBytes(dir));
    ask = Math.floor((free - leaveFree) / blockSize) * blockSize;
  }
  return { files, bytes, free };
}

/**
 * Fills each target's data volume (core/topology.ts `dataVolume`) with filler files until `leaveFreeBytes` remain,
 * verified with statfs (free <= leaveFreeBytes + a few blocks). loop-ext4 volumes are filled from the host mount point
 * (the fullness survives kill+start, like real data would); tmpfs through the container's /proc/<pid>/root. Heal
 * deletes the fillers and verifies the space is free again; a target that is gone, or whose tmpfs went with a restart,
 * is fine.
 */
export const diskFill: FaultKind<DiskFillFault> = {
  kind: "disk-fill",
  schema: DiskFillFault,
  effect: "degraded",
  check(spec, view, report, path) {
    if (!view.topology || !view.nodesComplete || spec.target.names?.some((name) => !view.nodes?.has(name))) return;
    const pool = selectorPool(spec.target, view.topology.nodes);
    const without = pool.filter((name) => !view.topology!.nodes.find((n) => n.name === name)?.dataVolume);
    if (pool.length > 0 && without.length > 0) report([...path, "target"], `disk-fill needs nodes with a dataVolume; these have none: ${without.join(", ")}`);
  },
  async inject(ctx: FaultContext, spec: DiskFillFault, targets: readonly string[]): Promise<FaultHandle> {
    const notes: string[] = [];
    const calledAt = Date.now();
    const filled = await Promise.all(
      targets.map(async (node) => {
        const volume = ctx.topology.node(node).spec.dataVolume;
        if (!volume) throw new Error(`disk-fill: node "${node}" has no dataVolume; declare one in the topology to fill it`);
        const dir = await volumeDir(ctx, node, volume);
        if (!dir) throw new Error(`disk-fill: node "${node}" is not running, so its tmpfs volume does not exist`);
        const before = await freeBytes(dir);
        const result = await fill(dir, spec.leaveFreeBytes);
        if (result.free > spec.leaveFreeBytes + SLACK_BLOCKS * before.blockSize) {
          await Promise.all(result.files.map((f) => rm(f, { force: true })));
          throw new Error(`disk-fill: ${node}: ${result.free} bytes still free after filling (asked at most ${spec.leaveFreeBytes} + ${SLACK_BLOCKS} blocks)`);
        }
        notes.push(`${node}: ${volume.kind} ${volume.path}: ${result.bytes} bytes of filler in ${result.files.length} file(s), free ${before.free} -> ${result.free} bytes, ${Date.now() - calledAt} ms after the call`);
        return { node, volume, names: result.files.map((f) => f.slice(dir.length + 1)), bytes: result.bytes };
      }),
    );
    const effectEpochMs = Date.now();
    return {
      injectedAtMs: runMs(ctx.clock, effectEpochMs),
      mechanism: `fallocate filler files on the data volume, leaving ${spec.leaveFreeBytes} bytes free`,
      notes,
      heal: healOnce(async () => {
        try {
          await Promise.all(filled.map((f) => healOne(ctx, f, notes)));
        } catch (error) {
          notes.push(`heal failed: ${errorMessage(error)}`);
          throw error;
        }
        return runMs(ctx.clock);
      }),
    };
  },
};

async function healOne(ctx: FaultContext, f: { node: string; volume: DataVolume; names: string[]; bytes: number }, notes: string[]): Promise<void> {
  const started = Date.now();
  const dir = await volumeDir(ctx, f.node, f.volume);
  if (!dir) {
    notes.push(`${f.node}: not running; its tmpfs (and the filler) went with the container`);
    return;
  }
  const full = await freeBytes(dir).catch(() => undefined);
  if (!full) {
    notes.push(`${f.node}: volume gone; nothing to free`);
    return;
  }
  await Promise.all(f.names.map((name) => rm(join(dir, name), { force: true })));
  // Space a filler held is free again at once on ext4 and tmpfs; poll briefly in case the kernel lags.
  const deadline = Date.now() + HEAL_VERIFY_DEADLINE_MS;
  let free = full.free;
  while ((free = (await freeBytes(dir)).free) < full.free + f.bytes * 0.9 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  // A restarted tmpfs is empty: the filler is gone and free is already high; both pass this check.
  if (free < full.free + f.bytes * 0.9 && free < f.bytes * 0.9) throw new Error(`disk-fill heal: ${f.node}: only ${free} bytes free after deleting ${f.bytes} bytes of filler`);
  notes.push(`${f.node}: filler deleted, ${free} bytes free, ${Date.now() - started} ms after the heal call`);
}
