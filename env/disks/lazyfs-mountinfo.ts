import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** One line of /proc/self/mountinfo, the fields lazyfs cares about. */
export interface MountEntry {
  mountPoint: string;
  fsType: string;
  source: string;
}

const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

/**
 * Parses mountinfo (proc(5)): `id parent major:minor root mountpoint options [optional...] - fstype source super`.
 * Malformed lines are skipped.
 */
export function parseMountInfo(text: string): MountEntry[] {
  const entries: MountEntry[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    const dash = fields.indexOf("-", 6);
    const mountPoint = fields[4];
    const fsType = fields[dash + 1];
    if (dash < 0 || mountPoint === undefined || fsType === undefined) continue;
    entries.push({ mountPoint: unescape(mountPoint), fsType, source: unescape(fields[dash + 2] ?? "") });
  }
  return entries;
}

export async function readMounts(): Promise<MountEntry[]> {
  return parseMountInfo(await readFile("/proc/self/mountinfo", "utf8"));
}

const isFuse = (e: MountEntry) => e.fsType === "fuse" || e.fsType.startsWith("fuse.");

/** FUSE mounts at or below `dir`, deepest first (the order to unmount them in). */
export function fuseMountsUnder(entries: MountEntry[], dir: string): string[] {
  const root = resolve(dir);
  const points = entries.filter((e) => isFuse(e) && (e.mountPoint === root || e.mountPoint.startsWith(root + "/"))).map((e) => e.mountPoint);
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

export async function isMounted(dir: string): Promise<boolean> {
  const root = resolve(dir);
  return (await readMounts()).some((e) => e.mountPoint === root);
}

/**
 * Detaches a mount (`umount -l`): it works on a FUSE mount whose daemon is dead ("transport endpoint is not
 * connected") and on one that still has open files (those keep it until closed).
 */
export async function detachMount(mountPoint: string, timeoutMs = 10_000): Promise<void> {
  try {
    await run("umount", ["-l", mountPoint], { timeout: timeoutMs });
  } catch (err) {
    // Unmounted meanwhile by someone else: the goal is reached.
    if (!(await isMounted(mountPoint))) return;
    const detail = err instanceof Error ? err.message : String(err);
    throw new Error(`umount -l ${mountPoint} failed: ${detail}`);
  }
}

/**
 * Unmounts every FUSE mount under `rootDir` (a lazyfs daemon killed with SIGKILL leaves its mount behind, dead).
 * Returns the mount points it detached.
 */
export async function sweepLazyFsMounts(rootDir: string): Promise<string[]> {
  const points = fuseMountsUnder(await readMounts(), rootDir);
  for (const point of points) await detachMount(point);
  return points;
}
