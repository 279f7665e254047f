import type { DataVolume } from "../../core/topology.ts";
import { createLazyFsVolume } from "./lazyfs-volume.ts";
import { createLoopDisk } from "./run-disks.ts";

/** What a container's create request needs for its data volume (HostConfig.Binds / HostConfig.Tmpfs). */
export interface DataVolumeMounts {
  binds?: string[];
  tmpfs?: Record<string, string>;
  /** For the log. */
  description: string;
}

/**
 * A container's data volume (core/topology.ts `dataVolume`), made before it is created:
 * - loop-ext4: creates and mounts the run's disk image on this machine (env/disks/run-disks.ts), bind-mounted at
 *   `path` (so only a node on the local engine can have one; the scenario checks refuse it elsewhere);
 * - tmpfs: a Docker tmpfs of `sizeMb` at `path` (uid/gid/mode as tmpfs options), on whatever host the node is;
 * - lazyfs: a loop-ext4 disk with the lazyfs daemon mounted over it (env/disks/lazyfs-volume.ts), bind-mounted at
 *   `path` (local engine only, like loop-ext4).
 */
export async function dataVolumeMounts(runId: string, node: string, volume: DataVolume): Promise<DataVolumeMounts> {
  if (volume.kind === "tmpfs") {
    const owner = volume.uid !== undefined || volume.gid !== undefined ? `,uid=${volume.uid ?? 0},gid=${volume.gid ?? 0}` : "";
    return { tmpfs: { [volume.path]: `rw,size=${volume.sizeMb}m,mode=${volume.mode}${owner}` }, description: `tmpfs ${volume.sizeMb} MiB at ${volume.path}` };
  }
  if (volume.kind === "lazyfs") {
    const hostDir = await createLazyFsVolume(runId, node, volume);
    return { binds: [`${hostDir}:${volume.path}:rw`], description: `lazyfs over loop-ext4 ${volume.sizeMb} MiB at ${volume.path} (host ${hostDir})` };
  }
  const hostDir = await createLoopDisk(runId, node, volume);
  return { binds: [`${hostDir}:${volume.path}:rw`], description: `loop-ext4 ${volume.sizeMb} MiB at ${volume.path} (host ${hostDir})` };
}
