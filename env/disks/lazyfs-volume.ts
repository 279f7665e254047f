import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DataVolume } from "../../core/topology.ts";
import { lazyfsTool, projectToolPath } from "../bootstrap/project-go-tools.ts";
import { mountLazyFs, type LazyFsMount } from "./lazyfs.ts";
import { createLoopDisk, diskPaths } from "./run-disks.ts";

/**
 * Data volumes of kind "lazyfs" (core/topology.ts `dataVolume`): a loop-ext4 disk of `sizeMb` (env/disks/run-disks.ts,
 * named `<node>.backing`) with the lazyfs daemon (env/go/lazyfs, built at bootstrap) mounted over it at the node's
 * usual mount point `<cacheDir>/disks/<runId>/<node>`, which is bind-mounted into the container. Writes stay in the
 * daemon's memory until fsynced; the `power-loss` fault (faults/power-loss.ts) discards the rest.
 *
 * The daemons are children of this process: the mounts are kept here, per run and node, for the fault and the
 * teardown (StartedTopology stops them before the disks are removed). A run killed before its teardown leaves dead
 * FUSE mounts under the run's disk folder; the disk sweep (removeRunDisks) unmounts them like any mount there.
 */
const mounts = new Map<string, LazyFsMount>();
const key = (runId: string, node: string) => `${runId}\0${node}`;

export interface LazyFsVolumePaths {
  /** The lazyfs mount point on the host (what the container bind-mounts). */
  mountDir: string;
  /** The loop-ext4 disk the daemon writes fsynced data to. */
  backingNode: string;
  /** Control socket: in the temp folder, since a unix socket path must be short (108 bytes). */
  controlSocket: string;
}

export function lazyFsVolumePaths(runId: string, node: string): LazyFsVolumePaths {
  const hash = createHash("sha256").update(`${runId}/${node}`).digest("hex").slice(0, 16);
  return { mountDir: diskPaths(runId, node).mountDir, backingNode: `${node}.backing`, controlSocket: join(tmpdir(), `havoc-lazyfs-${hash}.sock`) };
}

/** Makes the backing disk and mounts lazyfs over it; returns the host mount point. */
export async function createLazyFsVolume(runId: string, node: string, volume: DataVolume, binaryPath = projectToolPath(lazyfsTool)): Promise<string> {
  const paths = lazyFsVolumePaths(runId, node);
  const backingDir = await createLoopDisk(runId, paths.backingNode, volume);
  const mount = await mountLazyFs({ binaryPath, backingDir, mountDir: paths.mountDir, controlSocket: paths.controlSocket, allowOther: true });
  mounts.set(key(runId, node), mount);
  return mount.mountDir;
}

/** The live lazyfs mount of a node of a run started by this process; undefined when it has none. */
export function lazyFsVolume(runId: string, node: string): LazyFsMount | undefined {
  return mounts.get(key(runId, node));
}

/** Stops the lazyfs daemons of a run (each unmounts; unfsynced data is lost, as at power-off). Returns how many. */
export async function unmountRunLazyFs(runId: string): Promise<number> {
  const mine = [...mounts.entries()].filter(([k]) => k.startsWith(`${runId}\0`));
  await Promise.all(
    mine.map(async ([k, mount]) => {
      await mount.unmount();
      mounts.delete(k);
    }),
  );
  return mine.length;
}
