import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { disksRoot, readOwnerFile, removeRunDisks, sweepOrphanDisks, writeOwnerFile, type DiskOwner } from "../../env/disks/run-disks.ts";

// The disk cache is shared by every run on the machine (<cacheDir>/disks), and runs start, sweep and tear down at
// the same moments. These tests run the callers concurrently on real files (no mounts: the folders hold what a run's
// folder holds besides its mounted images) and check that each race has one consistent outcome.

let cache: string;
const savedCacheDir = process.env.HAVOC_CACHE_DIR;
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), "havoc-disks-race-"));
  process.env.HAVOC_CACHE_DIR = cache;
});
afterEach(async () => {
  if (savedCacheDir === undefined) delete process.env.HAVOC_CACHE_DIR;
  else process.env.HAVOC_CACHE_DIR = savedCacheDir;
  await rm(cache, { recursive: true, force: true });
});

/** A pid that belonged to a process that has exited: an owner that is dead. */
const deadPid = (() => {
  const child = spawnSync(process.execPath, ["-e", "0"]);
  return child.pid!;
})();

async function runFolder(runId: string, pid: number): Promise<string> {
  const dir = join(disksRoot(), runId);
  await mkdir(join(dir, "db"), { recursive: true });
  await writeFile(join(dir, "db.img"), "");
  await writeOwnerFile(dir, { runId, pid, host: hostname(), createdAt: new Date().toISOString() });
  return dir;
}

describe("the shared disk cache under concurrent callers", () => {
  it("two sweeps of the same leftover at once: exactly one removes and reports it, neither fails", async () => {
    for (let round = 0; round < 25; round++) {
      await runFolder(`dead-${round}`, deadPid);
      const [a, b] = await Promise.all([sweepOrphanDisks(), sweepOrphanDisks()]);
      expect([...a, ...b]).toEqual([`dead-${round}`]);
      expect(await readdir(disksRoot())).toEqual([]);
    }
  });

  it("an owner tearing its disks down while another run sweeps: the sweep neither fails nor claims the live run", async () => {
    for (let round = 0; round < 25; round++) {
      const runId = `live-${round}`;
      await runFolder(runId, process.pid);
      // The sweep lists the folder, then the owner removes it under the sweep's feet (the race seen live).
      const [swept, removed] = await Promise.all([sweepOrphanDisks(), removeRunDisks(runId)]);
      expect(swept).toEqual([]);
      expect(removed).toBe(1);
      expect(await readdir(disksRoot())).toEqual([]);
    }
  });

  it("a removal claimed by a live process is left to it; one whose holder died is taken over", async () => {
    const dir = await runFolder("claimed", deadPid);
    await writeFile(join(dir, "removing.lock"), JSON.stringify({ pid: process.pid, host: hostname() }));
    expect(await sweepOrphanDisks()).toEqual([]);
    expect(await readdir(disksRoot())).toEqual(["claimed"]);
    await writeFile(join(dir, "removing.lock"), JSON.stringify({ pid: deadPid, host: hostname() }));
    expect(await sweepOrphanDisks()).toEqual(["claimed"]);
    expect(await readdir(disksRoot())).toEqual([]);
  });

  it("the owner file, rewritten by every node's disk in parallel, never reads torn: a sweep always finds the live owner", async () => {
    const runId = "writing";
    const dir = await runFolder(runId, process.pid);
    // Its folder is old, so a reader that saw no owner would take the run for a leftover and remove it.
    const old = new Date(Date.now() - 3_600_000);
    const { utimes } = await import("node:fs/promises");
    await utimes(dir, old, old);
    const owner: DiskOwner = { runId, pid: process.pid, host: hostname(), createdAt: new Date().toISOString() };
    const seen: (DiskOwner | undefined)[] = [];
    for (let round = 0; round < 200; round++) {
      const writers = Array.from({ length: 4 }, () => writeOwnerFile(dir, owner));
      const readers = Array.from({ length: 4 }, () => readOwnerFile(dir).then((o) => seen.push(o)));
      const sweep = sweepOrphanDisks();
      await Promise.all([...writers, ...readers]);
      expect(await sweep).toEqual([]);
    }
    expect(seen.filter((o) => o?.pid !== process.pid)).toEqual([]);
    // Only the owner file and the run's own entries remain: no temp file left behind.
    expect((await readdir(dir)).sort()).toEqual(["db", "db.img", "owner.json"]);
  });
});
