import { execFileSync } from "node:child_process";
import { open, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leftovers } from "../support/run-cli.ts";
import { eventTypes, pollUntil, runDirs, spawnHavoc } from "../support/spawn-havoc.ts";

const scenario = "test/fixtures/trackr-short-kill.ts";
/** Room for the run's first seconds of records, small enough to fill in a moment. */
const TMPFS_SIZE = "16m";

let mountPoint: string;

/** Writes 1 MiB blocks until the filesystem refuses one: the disk is full from here on, for every file on it. */
async function fillFilesystem(dir: string): Promise<number> {
  const file = await open(join(dir, "filler"), "w");
  const block = Buffer.alloc(1 << 20, 0x61);
  let written = 0;
  try {
    for (;;) written += (await file.write(block)).bytesWritten;
  } catch (error) {
    expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
  } finally {
    await file.close().catch(() => undefined);
  }
  return written;
}

// The run directory on a real filesystem that fills up mid-run (a tmpfs of its own), not a mocked fs: the harness
// must end as its own error (exit 3), in one line naming the file and the cause, with nothing left running.
describe.runIf(process.getuid?.() === 0)("the harness's own disk fills during traffic (integration)", () => {
  beforeAll(async () => {
    mountPoint = await mkdtemp(join(tmpdir(), "havoc-full-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${TMPFS_SIZE}`, "tmpfs", mountPoint]);
  });
  afterAll(async () => {
    if (!mountPoint) return;
    execFileSync("umount", [mountPoint]);
    await rm(mountPoint, { recursive: true, force: true });
  });

  it("ENOSPC during a fault: exit 3, one line naming the file and ENOSPC, no stack, no verdict on the system, nothing left", async () => {
    const run = spawnHavoc(["run", scenario, "--seed", "3", "--reports", mountPoint]);
    const faultOn = await pollUntil(() => runDirs(mountPoint).some((d) => eventTypes(d).includes("fault-injected")), 120_000);
    expect(faultOn, run.stderr().slice(-2000)).toBe(true);
    const filledBytes = await fillFilesystem(mountPoint);
    expect(filledBytes).toBeGreaterThan(0);
    const exit = await run.exited;
    const stderr = run.stderr();
    expect(exit.code, stderr.slice(-3000)).toBe(3);
    const [runDir] = runDirs(mountPoint);
    const failure = stderr.split("\n").find((line) => line.includes("the harness could not write"));
    expect(failure, stderr.slice(-3000)).toMatch(new RegExp(`the harness could not write [a-z0-9.]+ in ${runDir}: no space left on device \\(ENOSPC\\)`));
    // No stack trace (HAVOC_DEBUG shows one), and the verdict names the harness, not the system under test.
    expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(stderr).not.toContain("internal error");
    const table = run.stdout();
    expect(table.trimEnd().split("\n").at(-1)).toBe("verdict: ERROR (exit 3)");
    expect(table).not.toMatch(/\b(PASS|FAIL)\b/);
    expect(await leftovers(basename(runDir!))).toEqual({ containers: 0, networks: 0 });
  });
});
