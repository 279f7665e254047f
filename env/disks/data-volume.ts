import type { GenericContainer } from "testcontainers";
import type { DataVolume } from "../../core/topology.ts";
import { createLoopDisk } from "./run-disks.ts";

/**
 * Gives a container its data volume (core/topology.ts `dataVolume`) before it is created:
 * - loop-ext4: creates and mounts the run's disk image on the host (env/disks/run-disks.ts), bind-mounts it at `path`;
 * - tmpfs: a Docker tmpfs of `sizeMb` at `path` (uid/gid/mode as tmpfs options).
 * Returns a description for the log.
 */
export async function attachDataVolume(container: GenericContainer, runId: string, node: string, volume: DataVolume): Promise<string> {
  if (volume.kind === "tmpfs") {
    const owner = volume.uid !== undefined || volume.gid !== undefined ? `,uid=${volume.uid ?? 0},gid=${volume.gid ?? 0}` : "";
    container.withTmpFs({ [volume.path]: `rw,size=${volume.sizeMb}m,mode=${volume.mode}${owner}` });
    return `tmpfs ${volume.sizeMb} MiB at ${volume.path}`;
  }
  const hostDir = await createLoopDisk(runId, node, volume);
  container.withBindMounts([{ source: hostDir, target: volume.path, mode: "rw" }]);
  return `loop-ext4 ${volume.sizeMb} MiB at ${volume.path} (host ${hostDir})`;
}
