import { execFile } from "node:child_process";
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountLazyFs, sweepLazyFsMounts, type LazyFsMount } from "../../env/disks/lazyfs.ts";
import { buildLazyFs } from "../../env/disks/lazyfs-build.ts";
import { sendLazyFsCommand } from "../../env/disks/lazyfs-control.ts";
import { fuseMountsUnder, isMounted, parseMountInfo, readMounts } from "../../env/disks/lazyfs-mountinfo.ts";

/**
 * lazyfs on real FUSE (root, /dev/fuse; no Docker): unfsynced writes are kept in the daemon's memory and lost on
 * `lose`, while fsynced ones survive; the kernel does not go on serving lost bytes from its page cache; EIO and
 * latency rules hit only matching paths; unmount and a SIGKILLed daemon leave nothing mounted.
 */
const run = promisify(execFile);

/** Reads a file in a process of its own: its open and reads go through the kernel afresh. */
async function catFresh(path: string): Promise<string> {
  const { stdout } = await run("cat", [path], { encoding: "utf8" });
  return stdout;
}

async function pread(fh: FileHandle, length = 4096): Promise<string> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, 0);
  return buf.subarray(0, bytesRead).toString("utf8");
}

const errorCode = (err: unknown) => (err as NodeJS.ErrnoException).code;

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("lazyfs (integration, real FUSE)", () => {
  let tmp: string;
  let binary: string;
  let fs: LazyFsMount;
  let mnt: string;
  let backing: string;
  const logs: string[] = [];

  const mountAt = (name: string, extra: { directIo?: boolean; seed?: number } = {}) =>
    mountLazyFs({
      binaryPath: binary,
      backingDir: join(tmp, `${name}-backing`),
      mountDir: join(tmp, name),
      controlSocket: join(tmp, `${name}.sock`),
      log: (line) => logs.push(`${name}: ${line}`),
      ...extra,
    });

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), "havoc-lazyfs-"));
    binary = await buildLazyFs(join(tmp, "lazyfs"));
    fs = await mountAt("main", { seed: 7 });
    mnt = fs.mountDir;
    backing = fs.backingDir;
  });

  afterAll(async () => {
    await fs?.unmount();
    if (tmp) {
      await sweepLazyFsMounts(tmp);
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("mounts as fuse.lazyfs with allow_other", async () => {
    const entry = (await readMounts()).find((e) => e.mountPoint === mnt);
    expect(entry?.fsType).toBe("fuse.lazyfs");
    const raw = await readFile("/proc/self/mountinfo", "utf8");
    expect(raw.split("\n").find((l) => l.includes(` ${mnt} `))).toContain("allow_other");
  });

  it("loses exactly the unfsynced writes, and the kernel serves no lost byte afterwards", async () => {
    const a = await open(join(mnt, "a.txt"), "w+");
    await a.write("A-synced\n", 0);
    await a.sync();
    const b = await open(join(mnt, "b.txt"), "w+");
    await b.write("B-unsynced", 0);
    await a.write("A-unsynced", 9);

    // Reads right after the writes see the unsynced data, in this process and in a fresh one.
    expect(await pread(a)).toBe("A-synced\nA-unsynced");
    expect(await catFresh(join(mnt, "a.txt"))).toBe("A-synced\nA-unsynced");
    expect(await catFresh(join(mnt, "b.txt"))).toBe("B-unsynced");
    expect((await stat(join(mnt, "b.txt"))).size).toBe(10);
    // The backing directory has only what was fsynced; B's name exists (metadata is persisted at once).
    expect(await readFile(join(backing, "a.txt"), "utf8")).toBe("A-synced\n");
    expect(await readFile(join(backing, "b.txt"), "utf8")).toBe("");

    const before = await fs.stats();
    expect(before).toMatchObject({ dirtyBytes: 20, dirtyFiles: 2 });
    expect(before.fsyncs).toBeGreaterThanOrEqual(1);

    expect(await fs.lose()).toEqual({ bytes: 20, files: 2 });

    // A descriptor held across the loss: its pages were in the kernel's cache, and must not be served any more.
    expect(await pread(a)).toBe("A-synced\n");
    expect((await a.stat()).size).toBe(9);
    expect(await pread(b)).toBe("");
    // A fresh process: new open, new reads.
    expect(await catFresh(join(mnt, "a.txt"))).toBe("A-synced\n");
    expect(await catFresh(join(mnt, "b.txt"))).toBe("");
    expect((await stat(join(mnt, "b.txt"))).size).toBe(0);
    await a.close();
    await b.close();

    const after = await fs.stats();
    expect(after).toMatchObject({ dirtyBytes: 0, dirtyFiles: 0 });
    expect(after.lostBytes - before.lostBytes).toBe(20);
    expect(after.lostFiles - before.lostFiles).toBe(2);
  });

  it("a write after close is still lost: close is not a sync", async () => {
    await writeFile(join(mnt, "closed.txt"), "written and closed");
    expect(await catFresh(join(mnt, "closed.txt"))).toBe("written and closed");
    expect(await fs.lose()).toEqual({ bytes: 18, files: 1 });
    expect(await catFresh(join(mnt, "closed.txt"))).toBe("");
  });

  it("caches truncation like data: a loss brings the fsynced size and bytes back", async () => {
    const f = await open(join(mnt, "trunc.txt"), "w+");
    await f.write("0123456789", 0);
    await f.sync();
    await f.truncate(3);
    expect(await pread(f)).toBe("012");
    await f.truncate(6);
    expect(await pread(f)).toBe("012\0\0\0");
    expect(await readFile(join(backing, "trunc.txt"), "utf8")).toBe("0123456789");
    expect(await fs.lose()).toEqual({ bytes: 0, files: 1 });
    expect(await pread(f)).toBe("0123456789");
    await f.close();
  });

  it("fdatasync persists; a renamed-over file not fsynced comes back empty", async () => {
    const f = await open(join(mnt, "data.txt"), "w");
    await f.write("durable", 0);
    await f.datasync();
    await f.close();
    await writeFile(join(mnt, "data.tmp"), "replacement");
    await run("mv", [join(mnt, "data.tmp"), join(mnt, "data.txt")]);
    expect(await catFresh(join(mnt, "data.txt"))).toBe("replacement");
    expect(await fs.lose()).toEqual({ bytes: 11, files: 1 });
    expect(await catFresh(join(mnt, "data.txt"))).toBe("");
  });

  it("O_TRUNC and O_APPEND go through the cache: a loss restores the fsynced content", async () => {
    const f = await open(join(mnt, "log.txt"), "w");
    await f.write("base\n", 0);
    await f.sync();
    await f.close();
    const appender = await open(join(mnt, "log.txt"), "a");
    await appender.write("one\n");
    await appender.write("two\n");
    await appender.close();
    expect(await catFresh(join(mnt, "log.txt"))).toBe("base\none\ntwo\n");
    await writeFile(join(mnt, "log.txt"), "new"); // O_TRUNC
    expect(await catFresh(join(mnt, "log.txt"))).toBe("new");
    expect(await readFile(join(backing, "log.txt"), "utf8")).toBe("base\n");
    expect(await fs.lose()).toEqual({ bytes: 3, files: 1 });
    expect(await catFresh(join(mnt, "log.txt"))).toBe("base\n");
  });

  it("drops the unsynced data of a deleted file once nobody has it open", async () => {
    await fs.sync();
    const f = await open(join(mnt, "doomed.txt"), "w+");
    await f.write("scratch", 0);
    await run("rm", [join(mnt, "doomed.txt")]);
    // Still open: still readable, still held.
    expect(await pread(f)).toBe("scratch");
    expect((await fs.stats()).dirtyFiles).toBe(1);
    await f.close();
    await until("the deleted file's record to be dropped", async () => (await fs.stats()).dirtyFiles === 0);
    expect(await fs.lose()).toEqual({ bytes: 0, files: 0 });
  });

  it("sync flushes every file, so a later loss loses nothing", async () => {
    await writeFile(join(mnt, "s1.txt"), "one");
    await mkdir(join(mnt, "dir"), { recursive: true });
    await writeFile(join(mnt, "dir", "s2.txt"), "two!");
    expect(await fs.sync()).toEqual({ bytes: 7, files: 2 });
    expect(await readFile(join(backing, "dir", "s2.txt"), "utf8")).toBe("two!");
    expect(await fs.lose()).toEqual({ bytes: 0, files: 0 });
    expect(await catFresh(join(mnt, "s1.txt"))).toBe("one");
  });

  it("EIO at 100 % fails every matching write and leaves other paths alone", async () => {
    await mkdir(join(mnt, "eio"), { recursive: true });
    await mkdir(join(mnt, "ok"), { recursive: true });
    const victim = await open(join(mnt, "eio", "x"), "w+");
    const bystander = await open(join(mnt, "ok", "x"), "w+");
    const before = (await fs.stats()).eioInjected;
    await fs.ioError({ op: "write", percent: 100, glob: "eio/**" });
    let failed = 0;
    for (let k = 0; k < 50; k++) {
      await victim.write("x", k).catch((err: unknown) => {
        expect(errorCode(err)).toBe("EIO");
        failed++;
      });
      await bystander.write("y", k);
    }
    expect(failed).toBe(50);
    await fs.sync();
    expect((await fs.stats()).eioInjected - before).toBe(50);
    // The failed writes stored nothing; the bystander's all landed.
    expect(await pread(victim)).toBe("");
    expect(await pread(bystander)).toBe("y".repeat(50));
    // Reads and fsyncs are not writes: the rule leaves them alone.
    await victim.sync();
    await victim.close();
    await bystander.close();
    expect(await fs.clearFaults()).toBe(1);
  });

  it("EIO at 50 % fails about half of 400 matching writes (seeded)", async () => {
    const f = await open(join(mnt, "eio", "half"), "w+");
    await fs.ioError({ op: "write", percent: 50, glob: "eio/half" });
    let failed = 0;
    const calls = 400;
    for (let k = 0; k < calls; k++) {
      await f.write("z", k).catch((err: unknown) => {
        if (errorCode(err) !== "EIO") throw err;
        failed++;
      });
    }
    await f.close();
    expect(await fs.clearFaults()).toBe(1);
    await fs.sync();
    // Binomial(400, 0.5) has a standard deviation of 10: 40 % to 60 % is five of them either side.
    expect(failed).toBeGreaterThan(calls * 0.4);
    expect(failed).toBeLessThan(calls * 0.6);
  });

  it("EIO on fsync keeps the data unsynced; on read fails the read", async () => {
    await fs.sync();
    const f = await open(join(mnt, "eio", "fs"), "w+");
    await f.write("pending", 0);
    await fs.ioError({ op: "fsync", percent: 100, glob: "eio/fs" });
    await expect(f.sync()).rejects.toMatchObject({ code: "EIO" });
    expect((await fs.stats()).dirtyFiles).toBe(1);
    await fs.ioError({ op: "read", percent: 100, glob: "eio/fs" });
    // A fresh open drops the kernel's pages, so the read reaches the daemon.
    await expect(catFresh(join(mnt, "eio", "fs"))).rejects.toThrow(/Input\/output error/);
    expect(await fs.clearFaults()).toBe(2);
    await f.sync();
    expect(await readFile(join(backing, "eio", "fs"), "utf8")).toBe("pending");
    await f.close();
  });

  it("a 100 ms read latency rule adds at least 100 ms to a matching read, and clear removes it", async () => {
    await mkdir(join(mnt, "slow"), { recursive: true });
    await writeFile(join(mnt, "slow", "f"), "slow data");
    await writeFile(join(mnt, "fast"), "fast data");
    await fs.ioLatency({ op: "read", latencyMs: 100, glob: "slow/*" });
    const delaysBefore = (await fs.stats()).delaysInjected;
    const t0 = performance.now();
    expect(await catFresh(join(mnt, "slow", "f"))).toBe("slow data");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
    const delaysMid = (await fs.stats()).delaysInjected;
    expect(delaysMid).toBeGreaterThan(delaysBefore);
    expect(await catFresh(join(mnt, "fast"))).toBe("fast data");
    expect((await fs.stats()).delaysInjected).toBe(delaysMid);
    expect(await fs.clearFaults()).toBe(1);
    expect((await fs.stats()).rules).toBe(0);
    expect(await catFresh(join(mnt, "slow", "f"))).toBe("slow data");
    expect((await fs.stats()).delaysInjected).toBe(delaysMid);
    await fs.sync();
  });

  it("answers bad commands with an error and keeps serving", async () => {
    for (const bad of ["", "bogus", "eio write 150 x", "latency -1 read x", "eio write 10 /abs", "x".repeat(5000)]) {
      expect(await sendLazyFsCommand(join(tmp, "main.sock"), bad, 5_000)).toMatch(/^error /);
    }
    expect(await sendLazyFsCommand(join(tmp, "main.sock"), "ping", 5_000)).toBe("ok pong");
    await expect(fs.ioError({ op: "write", percent: 101, glob: "x" })).rejects.toThrow(/percent/);
    await expect(fs.ioLatency({ op: "read", latencyMs: 5, glob: "/abs" })).rejects.toThrow(/glob/);
  });

  it("with --direct-io the loss is seen the same way", async () => {
    const d = await mountAt("direct", { directIo: true });
    try {
      const f = await open(join(d.mountDir, "f"), "w+");
      await f.write("kept", 0);
      await f.sync();
      await f.write("+lost", 4);
      expect(await pread(f)).toBe("kept+lost");
      expect(await d.lose()).toEqual({ bytes: 5, files: 1 });
      expect(await pread(f)).toBe("kept");
      expect(await catFresh(join(d.mountDir, "f"))).toBe("kept");
      await f.close();
    } finally {
      await d.unmount();
    }
    expect(await isMounted(d.mountDir)).toBe(false);
  });

  it("unmount is a power cut, leaves nothing mounted, and is idempotent", async () => {
    const u = await mountAt("unmount");
    await writeFile(join(u.mountDir, "f"), "never fsynced");
    expect(await catFresh(join(u.mountDir, "f"))).toBe("never fsynced");
    await u.unmount();
    expect(await isMounted(u.mountDir)).toBe(false);
    expect(await readFile(join(u.backingDir, "f"), "utf8")).toBe("");
    await u.unmount();
    await expect(u.stats()).rejects.toThrow(/unmounted/);
    expect(logs.some((l) => l.startsWith("unmount: ") && l.includes("13 unfsynced bytes in 1 files discarded"))).toBe(true);
  });

  it("unmount works while a file on the mount is open", async () => {
    const u = await mountAt("busy");
    const f = await open(join(u.mountDir, "held"), "w+");
    await f.write("x", 0);
    await u.unmount();
    expect(await isMounted(u.mountDir)).toBe(false);
    await f.close().catch(() => undefined);
  });

  it("a SIGKILLed daemon leaves a dead mount that sweepLazyFsMounts removes", async () => {
    await mkdir(join(tmp, "sweep"));
    const k = await mountAt("sweep/killed");
    await writeFile(join(k.mountDir, "f"), "x");
    process.kill(k.pid, "SIGKILL");
    await expect(until("the daemon's exit to be noticed", async () => (await k.stats().then(() => false, (err: Error) => /exited with signal SIGKILL/.test(err.message))))).resolves.toBeUndefined();
    expect(await isMounted(k.mountDir)).toBe(true);
    await expect(stat(join(k.mountDir, "f"))).rejects.toMatchObject({ code: "ENOTCONN" });
    expect(await sweepLazyFsMounts(join(tmp, "sweep"))).toEqual([k.mountDir]);
    expect(await isMounted(k.mountDir)).toBe(false);
    expect(fuseMountsUnder(await readMounts(), tmp)).toEqual([mnt]);
    // Unmounting the handle of a dead daemon whose mount is already gone succeeds.
    await k.unmount();
  });

  it("parses mountinfo with escaped paths and picks only FUSE mounts under a folder, deepest first", () => {
    const text = [
      "36 35 98:0 / /mnt1 rw,noatime master:1 - ext3 /dev/root rw,errors=continue",
      "50 27 0:41 / /tmp/x/a\\040b rw,nosuid - fuse.lazyfs /tmp/x/b rw,user_id=0",
      "51 50 0:42 / /tmp/x/a\\040b/inner rw - fuse /dev/fuse rw",
      "52 27 0:43 / /tmp/xy rw - fuse.lazyfs /b rw",
      "garbage",
    ].join("\n");
    const entries = parseMountInfo(text);
    expect(entries).toHaveLength(4);
    expect(entries[1]).toEqual({ mountPoint: "/tmp/x/a b", fsType: "fuse.lazyfs", source: "/tmp/x/b" });
    expect(fuseMountsUnder(entries, "/tmp/x")).toEqual(["/tmp/x/a b/inner", "/tmp/x/a b"]);
  });
});
