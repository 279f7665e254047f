import { execFile } from "node:child_process";
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, writeFile } from "node:fs/promises";
import { randomBytes } from "node:crypto";
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
/** Held (created exclusively) by whoever removes a run's disks: the owner's teardown or one sweep. */
const REMOVING_FILE = "removing.lock";

export interface DiskOwner {
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
  await mkdir(paths.runDir, { recursive: true });
  // The owner file before anything else in the folder, so a sweep finds the owner of everything in it.
  await writeOwnerFile(paths.runDir, { runId, pid: process.pid, host: hostname(), createdAt: new Date().toISOString() });
  await mkdir(paths.mountDir, { recursive: true });
  await run("truncate", ["-s", `${volume.sizeMb}M`, paths.image]);
  // -m 0: no blocks reserved for root, so "full" means full for every user. -E nodiscard: nothing to discard on a new sparse file.
  await run("mkfs.ext4", ["-q", "-F", "-m", "0", "-E", "nodiscard", "-L", `havoc-${node}`.slice(0, 16), paths.image]);
  await run("mount", ["-o", "loop", paths.image, paths.mountDir]);
  await rm(join(paths.mountDir, "lost+found"), { recursive: true, force: true });
  await run("chown", [`${volume.uid ?? 0}:${volume.gid ?? 0}`, paths.mountDir]);
  await run("chmod", [volume.mode, paths.mountDir]);
  return paths.mountDir;
}

/**
 * Writes the run's owner file atomically: a temp file renamed over it. Every node's disk writes it, in parallel, and
 * sweeps of other runs read it at any moment: written in place, a reader could see it truncated and empty, take the
 * run for a leftover without an owner and remove a live run's disks.
 */
export async function writeOwnerFile(runDir: string, owner: DiskOwner): Promise<void> {
  const temp = join(runDir, `${OWNER_FILE}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
  await writeFile(temp, JSON.stringify(owner) + "\n");
  await rename(temp, join(runDir, OWNER_FILE));
}

/** The run's owner; undefined when the file is missing or unreadable. */
export async function readOwnerFile(runDir: string): Promise<DiskOwner | undefined> {
  return readFile(join(runDir, OWNER_FILE), "utf8")
    .then((text) => JSON.parse(text) as DiskOwner)
    .catch(() => undefined);
}

const missing = (error: unknown) => (error as NodeJS.ErrnoException).code === "ENOENT";

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
 * disks, already cleaned, or being removed by another process right now (a sweep), returns 0. Returns the number of
 * disk images deleted.
 */
export async function removeRunDisks(runId: string): Promise<number> {
  return (await claimAndRemove(runId)) ?? 0;
}

/**
 * Removes a run's disks if this call wins the claim on them: `removing.lock`, created exclusively in the run's
 * folder, so of two removers at once (two runs sweeping the same leftover, an owner tearing down while a sweep
 * looks) exactly one removes and the other steps aside. undefined when another holds the claim or the folder is
 * already gone; else the number of images deleted.
 */
async function claimAndRemove(runId: string): Promise<number | undefined> {
  const runDir = join(disksRoot(), runId);
  if (!(await stat(runDir).catch(() => undefined))) return undefined;
  const lock = join(runDir, REMOVING_FILE);
  try {
    const handle = await open(lock, "wx");
    await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname() }) + "\n");
    await handle.close();
  } catch (error) {
    if (missing(error)) return undefined; // the folder went away under us: someone else removed it
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    if (!(await staleClaim(lock))) return undefined;
    // Its remover died mid-way (this host, pid gone): take over. Removal is idempotent, so two takers are harmless.
    await unlink(lock).catch(() => undefined);
    return claimAndRemove(runId);
  }
  // Deepest first, so nested mounts (none expected) come off before their parents; lazyfs mounts before the disks
  // they write to (`<node>.backing`, busy while a daemon left by a killed run still serves them).
  const backing = (p: string) => (p.endsWith(".backing") ? 1 : 0);
  for (const mountPoint of (await mountsUnder(runDir)).sort((a, b) => backing(a) - backing(b) || b.length - a.length)) await unmount(mountPoint);
  const remaining = await mountsUnder(runDir);
  if (remaining.length > 0) {
    await unlink(lock).catch(() => undefined);
    throw new Error(`could not unmount ${remaining.join(", ")}; not deleting ${runDir}`);
  }
  const images = (await readdir(runDir).catch((error: unknown) => (missing(error) ? [] : Promise.reject(error)))).filter((f) => f.endsWith(".img")).length;
  await rm(runDir, { recursive: true, force: true });
  return images;
}

/** A removal claim whose holder is a dead process of this host (a sweep killed mid-way). */
async function staleClaim(lock: string): Promise<boolean> {
  const holder = await readFile(lock, "utf8")
    .then((text) => JSON.parse(text) as { pid: number; host: string })
    .catch(() => undefined);
  // Unreadable: its holder is between creating and writing it (microseconds); treat it as live.
  return holder !== undefined && holder.host === hostname() && !processAlive(holder.pid);
}

/**
 * Removes the disks of runs whose owner process is dead (same rule as the container sweep); with `all`, of every run
 * (live owners included). A run dir without a readable owner file is treated as dead once it is a minute old (a start
 * killed mid-setup). Returns the run ids this sweep cleaned: a folder that vanished while it looked (its owner tore
 * it down) or that another sweep is removing is neither an error nor counted.
 */
export async function sweepOrphanDisks(options: { all?: boolean; exceptRun?: string } = {}): Promise<string[]> {
  const runIds = await readdir(disksRoot()).catch(() => [] as string[]);
  const cleaned: string[] = [];
  for (const runId of runIds) {
    if (runId === options.exceptRun) continue;
    const runDir = join(disksRoot(), runId);
    const owner = await readOwnerFile(runDir);
    if (!options.all) {
      if (owner && (owner.host !== hostname() || processAlive(owner.pid))) continue;
      if (!owner) {
        // Gone since the listing: its owner removed it. A folder without an owner file yet: a run may be creating it
        // right now; only an old one is a leftover.
        const info = await stat(runDir).catch(() => undefined);
        if (!info || Date.now() - info.mtimeMs < 60_000) continue;
      }
    }
    if ((await claimAndRemove(runId)) !== undefined) cleaned.push(runId);
  }
  return cleaned;
}
