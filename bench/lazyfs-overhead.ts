/**
 * What lazyfs (env/go/lazyfs) costs a program writing and reading through it, against the plain directory it sits
 * on (same filesystem, same process, repetitions interleaved with the side going first rotating):
 *
 * - (a) 4 KiB pwrite each followed by fsync: ops/s, and p50 / p99 latency of one write+fsync;
 * - (b) 4 KiB sequential writes without fsync (32 MiB per repetition): MB/s;
 * - (c) sequential read of a 64 MiB file in 128 KiB reads, a fresh open each time: MB/s;
 * - (d) the same file read twice in 8 KiB preads on one descriptor (a database's page-sized reads): MB/s of each
 *   pass (the second pass shows whether the kernel's page cache serves re-reads).
 *
 * Two lazyfs sides: the default (kernel page cache, invalidated on loss) and --direct-io. Both read sides find the
 * file in the host's page cache (the plain file, or lazyfs's backing file): caches are not dropped on a shared
 * machine, so (c) compares warm reads. Needs root and /dev/fuse.
 *
 *   npx tsx bench/lazyfs-overhead.ts [repetitions=7] [fsyncOps=1000]
 */
import { closeSync, fsyncSync, openSync, readSync, unlinkSync, writeSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildLazyFs } from "../env/disks/lazyfs-build.ts";
import { mountLazyFs, sweepLazyFsMounts, type LazyFsMount } from "../env/disks/lazyfs.ts";
import { BenchRecorder } from "./lib/results.ts";
import { msSince, pairedRatios, percentile, ratio, stats, describeStats } from "./lib/stats.ts";

const repetitions = Number(process.argv[2] ?? 7);
const fsyncOps = Number(process.argv[3] ?? 1000);
const BLOCK = 4096;
const WRITE_BYTES = 32 * 2 ** 20;
const READ_BYTES = 64 * 2 ** 20;
const READ_CHUNK = 128 * 1024;
const PAGE = 8192;
const MB = 1e6;

if (process.getuid?.() !== 0) {
  console.error("lazyfs-overhead needs root (lazyfs mounts with mount(2))");
  process.exit(2);
}

interface Side {
  name: "plain" | "lazyfs" | "lazyfs-direct";
  dir: string;
  mount?: LazyFsMount;
}

interface FsyncResult {
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** (a): each iteration is one 4 KiB pwrite at the next offset and an fsync of the file. */
function fsyncWrites(dir: string, ops: number): FsyncResult {
  const path = join(dir, "fsync.dat");
  const fd = openSync(path, "w");
  const buf = Buffer.alloc(BLOCK, 0x61);
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  for (let k = 0; k < ops; k++) {
    const t = process.hrtime.bigint();
    writeSync(fd, buf, 0, BLOCK, k * BLOCK);
    fsyncSync(fd);
    latencies.push(msSince(t));
  }
  const totalMs = msSince(start);
  closeSync(fd);
  unlinkSync(path);
  return { opsPerSec: (ops * 1000) / totalMs, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** (b): MB/s of 4 KiB sequential writes, no fsync. */
function bufferedWrites(dir: string): number {
  const path = join(dir, "buffered.dat");
  const fd = openSync(path, "w");
  const buf = Buffer.alloc(BLOCK, 0x62);
  const start = process.hrtime.bigint();
  for (let off = 0; off < WRITE_BYTES; off += BLOCK) writeSync(fd, buf, 0, BLOCK, off);
  const ms = msSince(start);
  closeSync(fd);
  return WRITE_BYTES / MB / (ms / 1000);
}

/** (c): MB/s of a sequential read of the whole file through a fresh descriptor. */
function sequentialRead(dir: string): number {
  const fd = openSync(join(dir, "read.dat"), "r");
  const buf = Buffer.alloc(READ_CHUNK);
  let total = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    const n = readSync(fd, buf, 0, READ_CHUNK, total);
    if (n === 0) break;
    total += n;
  }
  const ms = msSince(start);
  closeSync(fd);
  if (total !== READ_BYTES) throw new Error(`read ${total} bytes of ${join(dir, "read.dat")}, expected ${READ_BYTES}`);
  return total / MB / (ms / 1000);
}

/** (d): MB/s of two passes of 8 KiB preads over the whole file, on one fresh descriptor. */
function pageReads(dir: string): [number, number] {
  const fd = openSync(join(dir, "read.dat"), "r");
  const buf = Buffer.alloc(PAGE);
  const pass = () => {
    const start = process.hrtime.bigint();
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, PAGE, total);
      if (n === 0) break;
      total += n;
    }
    if (total !== READ_BYTES) throw new Error(`read ${total} bytes of ${join(dir, "read.dat")}, expected ${READ_BYTES}`);
    return total / MB / (msSince(start) / 1000);
  };
  const first = pass();
  const second = pass();
  closeSync(fd);
  return [first, second];
}

function writeReadFile(dir: string): void {
  const fd = openSync(join(dir, "read.dat"), "w");
  const buf = Buffer.alloc(1 << 20, 0x63);
  for (let off = 0; off < READ_BYTES; off += buf.length) writeSync(fd, buf, 0, buf.length, off);
  fsyncSync(fd);
  closeSync(fd);
}

/** After (b): lazyfs discards what it holds (untimed), the plain side deletes the file. */
async function afterBuffered(side: Side): Promise<void> {
  if (side.mount) await side.mount.lose();
  unlinkSync(join(side.dir, "buffered.dat"));
}

async function main(): Promise<void> {
  const recorder = new BenchRecorder("lazyfs-overhead", `npx tsx bench/lazyfs-overhead.ts ${process.argv.slice(2).join(" ")}`.trim());
  const tmp = await mkdtemp(join(tmpdir(), "havoc-lazyfs-bench-"));
  const sides: Side[] = [];
  try {
    const binary = await buildLazyFs(join(tmp, "lazyfs.bin"));
    const plain = join(tmp, "plain");
    await mkdir(plain);
    sides.push({ name: "plain", dir: plain });
    for (const [name, directIo] of [["lazyfs", false], ["lazyfs-direct", true]] as const) {
      const mount = await mountLazyFs({ binaryPath: binary, backingDir: join(tmp, `${name}-backing`), mountDir: join(tmp, name), controlSocket: join(tmp, `${name}.sock`), directIo });
      sides.push({ name, dir: mount.mountDir, mount });
    }
    for (const side of sides) writeReadFile(side.dir);

    const results = new Map<Side["name"], { fsync: FsyncResult[]; writeMBps: number[]; readMBps: number[]; page1MBps: number[]; page2MBps: number[] }>();
    for (const side of sides) results.set(side.name, { fsync: [], writeMBps: [], readMBps: [], page1MBps: [], page2MBps: [] });
    for (let rep = 0; rep < repetitions; rep++) {
      // Rotate which side goes first, so a machine whose load drifts hits every side alike.
      const order = sides.map((_, i) => sides[(i + rep) % sides.length]!);
      for (const side of order) {
        const r = results.get(side.name)!;
        r.fsync.push(fsyncWrites(side.dir, fsyncOps));
        r.writeMBps.push(bufferedWrites(side.dir));
        await afterBuffered(side);
        r.readMBps.push(sequentialRead(side.dir));
        const [first, second] = pageReads(side.dir);
        r.page1MBps.push(first);
        r.page2MBps.push(second);
      }
      console.log(`repetition ${rep + 1}/${repetitions} done`);
    }

    const base = results.get("plain")!;
    const figures = [
      { id: "fsync-write.ops", figure: "4 KiB pwrite + fsync, ops/s", unit: "ops/s", pick: (r: typeof base) => r.fsync.map((f) => f.opsPerSec) },
      { id: "fsync-write.p50", figure: "4 KiB pwrite + fsync, p50 latency per repetition", unit: "ms", pick: (r: typeof base) => r.fsync.map((f) => f.p50Ms) },
      { id: "fsync-write.p99", figure: "4 KiB pwrite + fsync, p99 latency per repetition", unit: "ms", pick: (r: typeof base) => r.fsync.map((f) => f.p99Ms) },
      { id: "buffered-write", figure: "4 KiB sequential writes, no fsync (32 MiB)", unit: "MB/s", pick: (r: typeof base) => r.writeMBps },
      { id: "sequential-read", figure: "sequential read of a 64 MiB file, 128 KiB reads, warm host cache", unit: "MB/s", pick: (r: typeof base) => r.readMBps },
      { id: "page-read.first", figure: "8 KiB preads of the 64 MiB file, first pass on a fresh descriptor", unit: "MB/s", pick: (r: typeof base) => r.page1MBps },
      { id: "page-read.second", figure: "8 KiB preads of the 64 MiB file, second pass on the same descriptor", unit: "MB/s", pick: (r: typeof base) => r.page2MBps },
    ];
    for (const side of ["lazyfs", "lazyfs-direct"] as const) {
      const r = results.get(side)!;
      for (const f of figures) {
        const havoc = f.pick(r);
        const baseline = f.pick(base);
        const row = {
          id: `${side}.${f.id}`,
          figure: `${f.figure} (${side === "lazyfs" ? "lazyfs, page cache" : "lazyfs --direct-io"})`,
          unit: f.unit,
          havoc: stats(havoc, 2),
          baseline: { what: "the plain directory lazyfs's backing directory sits beside (same filesystem)", stats: stats(baseline, 2) },
          ratio: ratio(percentile(havoc, 50), percentile(baseline, 50)),
          pairedRatio: pairedRatios(havoc, baseline),
        };
        recorder.add(row);
        console.log(`${row.id}: ${describeStats(row.havoc, f.unit)} vs plain ${describeStats(row.baseline.stats, f.unit)}; ratio ${row.ratio}`);
      }
    }
    recorder.notes.push(
      `${repetitions} repetitions; (a) ${fsyncOps} write+fsync pairs each; (b) ${WRITE_BYTES / 2 ** 20} MiB per repetition, then lazyfs 'lose' (untimed); (c) ${READ_BYTES / 2 ** 20} MiB, warm host page cache, fresh open (lazyfs opens drop the kernel's FUSE pages: no FOPEN_KEEP_CACHE); (d) the same file in 8 KiB preads, two passes on one descriptor.`,
      "Ratios are lazyfs / plain: above 1 is slower for latency, below 1 is slower for ops/s and MB/s.",
      "Shared 2-core machine: other sessions' work ran meanwhile (load averages in the header).",
    );
    recorder.write();
  } finally {
    for (const side of sides) await side.mount?.unmount().catch((err: unknown) => console.error(`unmount ${side.dir}: ${String(err)}`));
    await sweepLazyFsMounts(tmp);
    await rm(tmp, { recursive: true, force: true });
  }
}

await main();
