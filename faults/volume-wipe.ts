import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import type { DataVolume } from "../core/topology.ts";
import { diskPaths } from "../env/disks/run-disks.ts";

/**
 * The host folder of a node's data volume that outlives its container (loop-ext4, lazyfs), where storage-destroy
 * wipes and a restore writes; undefined for a tmpfs or no volume (nothing on the host to wipe or fill).
 */
export function hostVolumeDir(runId: string, volume: DataVolume | undefined, node: string): string | undefined {
  if (volume?.kind === "loop-ext4" || volume?.kind === "lazyfs") return diskPaths(runId, node).mountDir;
  return undefined;
}

/** Deletes everything in `dir` (not `dir` itself: it is a mount point) and proves it empty. Returns the entries deleted. */
export async function wipeDir(dir: string): Promise<number> {
  const entries = await readdir(dir);
  await Promise.all(entries.map((e) => rm(join(dir, e), { recursive: true, force: true })));
  const left = await readdir(dir);
  if (left.length > 0) throw new Error(`${dir} still holds ${left.slice(0, 5).join(", ")} after wiping it`);
  return entries.length;
}
