import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import type { DataVolume } from "../../core/topology.ts";
import { cacheDir } from "../paths.ts";
import { processAlive } from "../processes/orphan-load.ts";

const run = promisify(execFile);

/**
 * Loop-mounted ext4 disks for node data volumes (core/topology.ts `dataVolume`, kind "loop-ext4").
 *
 * Layout, per run: `<cacheDir>/disks/<runId>/owner.json` (run id, owner pid, host: read by the sweep),
 * `<node>.img` (a sparse image file, so a 1 GiB volume costs only what is written) and `<node>/` (its mount point on
 * the host, bind-mounted into the container). Docker's local volume driver with `o=loop` fails here, and a Docker
 * tmpfs is wiped on restart, so the host mounts the image itself: data and fullness survive kill+start.
 *
 * Needs root on the host (losetup/mount), as the Docker engine does. `mount -o loop` sets autoclear, so unmounting
 * also frees the loop device.
 */
export function disksRoot(): string {
  return join(cacheDir(), "disks");
}

export interface DiskPaths {
  runDir: string;
  image: string;
  mountDir: string;
}

export function diskPaths(runId: string, node: string): DiskPaths {
  const runDir = join(disksRoot(), runId);
  return { runDir, image: join(runDir, `${node}.img`), mountDir: join(runDir, node) };
}

const OWNER_FILE = "owner.json";

interface DiskOwner {
  runId: string;
  pid: number;
  host: string;
  createdAt: string;
}

/**
 * Creates, formats and mounts a node's disk; returns the host mount point. The volume root gets `uid:gid` and `mode`
 * from the spec; lost+found is removed so the volume starts empty (images such as postgres refuse a non-empty data dir).
 */
export async function createLoopDisk(runId: string, node: string, volume: DataVolume): Promise<string> {
  const paths = diskPaths(runId, node);
  await mkdir(paths.mountDir, { recursive: true });
  const owner: DiskOwner = { runId, pid: process.pid, host: hostname(), createdAt: new Date().toISOString() };
  await writeFile(join(paths.runDir, OWNER_FILE), JSON.stringify(owner) + "\n");
  await run("truncate", ["-s", `${volume.sizeMb}M`, paths.image]);
  // -m 0: no blocks reserved for root, so "full" means full for every user. -E nodiscard: nothing to discard on a new sparse file.
  await run("mkfs.ext4", ["-q", "-F", "-m", "0", "-E", "nodiscard", "-L", `havoc-${node}`.slice(0, 16), paths.image]);
  await run("mount", ["-o", "loop", paths.image, paths.mountDir]);
  await rm(join(paths.mountDir, "lost+found"), { recursive: true, force: true });
  await run("chown", [`${volume.uid ?? 0}:${volume.gid ?? 0}`, paths.mountDir]);
  await run("chmod", [volume.mode, paths.mountDir]);
  return paths.mountDir;
}

/** Mount points (as /proc/mounts lists them) at or below `dir`. */
export async function mountsUnder(dir: string): Promise<string[]> {
  const table = await readFile("/proc/mounts", "utf8");
  return table
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .map((escaped) => escaped.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(dir + "/"));
}

async function unmount(mountPoint: string): Promise<void> {
  // A container being removed may still hold the mount for a moment: retry, then detach lazily (freed once unused).
  for (let attempt = 0; attempt < 10; attempt++) {
    try {
      await run("umount", [mountPoint]);
      return;
    } catch (error) {
      if (!(await mountsUnder(mountPoint)).includes(mountPoint)) return;
      if (attempt === 9) {
        await run("umount", ["-l", mountPoint]).catch(() => {
          throw error;
        });
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Unmounts and deletes every disk of a run (call after its containers are removed). Idempotent: a run without
 * disks, or already cleaned, returns 0. Returns the number of disk images deleted.
 */
export async function removeRunDisks(runId: string): Promise<number> {
  const runDir = join(disksRoot(), runId);
  if (!(await stat(runDir).catch(() => undefined))) return 0;
  // Deepest first, so nested mounts (none expected) come off before their parents; lazyfs mounts before the disks
  // they write to (`<node>.backing`, busy while a daemon left by a killed run still serves them).
  const backing = (p: string) => (p.endsWith(".backing") ? 1 : 0);
  for (const mountPoint of (await mountsUnder(runDir)).sort((a, b) => backing(a) - backing(b) || b.length - a.length)) await unmount(mountPoint);
  const remaining = await mountsUnder(runDir);
  if (remaining.length > 0) throw new Error(`could not unmount ${remaining.join(", ")}; not deleting ${runDir}`);
  const images = (await readdir(runDir)).filter((f) => f.endsWith(".img")).length;
  await rm(runDir, { recursive: true, force: true });
  return images;
}

/**
 * Removes the disks of runs whose owner process is dead (same rule as the container sweep); with `all`, of every run
 * (live owners included). A run dir without a readable owner file is treated as dead (a start killed mid-setup).
 * Returns the run ids cleaned.
 */
export async function sweepOrphanDisks(options: { all?: boolean; exceptRun?: string } = {}): Promise<string[]> {
  const runIds = await readdir(disksRoot()).catch(() => [] as string[]);
  const cleaned: string[] = [];
  for (const runId of runIds) {
    if (runId === options.exceptRun) continue;
    const owner = await readFile(join(disksRoot(), runId, OWNER_FILE), "utf8")
      .then((text) => JSON.parse(text) as DiskOwner)
      .catch(() => undefined);
    if (!options.all) {
      if (owner && (owner.host !== hostname() || processAlive(owner.pid))) continue;
      // No owner file yet: a run may be creating it right now; only an old one is a leftover.
      if (!owner && Date.now() - ((await stat(join(disksRoot(), runId)).catch(() => undefined))?.mtimeMs ?? 0) < 60_000) continue;
    }
    await removeRunDisks(runId);
    cleaned.push(runId);
  }
  return cleaned;
}
