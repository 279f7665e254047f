import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import { ioFailureMessage } from "../../core/io-failure.ts";
import { EventLog } from "../../engine/runner/event-log.ts";
import { WriteLedger } from "../../load/write-ledger.ts";

// /dev/full answers every write with ENOSPC: a full disk without filling one (Linux).
const FULL = "/dev/full";
const hasDevFull = existsSync(FULL);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "havoc-io-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ioFailureMessage", () => {
  it("names what the harness was doing, the file, its folder and the cause in words with the code", () => {
    const error = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
    expect(ioFailureMessage("write", "/ci/reports/runs/r1/events.ndjson", error)).toBe("the harness could not write events.ndjson in /ci/reports/runs/r1: no space left on device (ENOSPC)");
    const denied = Object.assign(new Error("EACCES: permission denied, open"), { code: "EACCES" });
    expect(ioFailureMessage("open", "/ro/x.json", denied)).toBe("the harness could not open x.json in /ro: permission denied (EACCES)");
  });

  it("keeps the message of an error without a known code", () => {
    expect(ioFailureMessage("write", "/a/b.txt", new Error("kaboom"))).toBe("the harness could not write b.txt in /a: kaboom");
  });
});

describe.runIf(hasDevFull)("the harness's own files on a full disk", () => {
  it("EventLog never throws: the first failure is told once, then it stops writing", () => {
    const clock = new RunClock();
    // The constructor's mkdir of /dev is a no-op; the open succeeds, every write fails.
    const events = new EventLog(FULL, clock);
    const told: string[] = [];
    events.onFailure = (m) => told.push(m);
    expect(() => events.write({ type: "phase", phase: "traffic" })).not.toThrow();
    expect(() => events.write({ type: "phase", phase: "readback" })).not.toThrow();
    expect(told).toEqual(["the harness could not write full in /dev: no space left on device (ENOSPC)"]);
    expect(events.failure).toBe(told[0]);
    expect(() => events.close()).not.toThrow();
  });

  it("EventLog writes normally where there is space", async () => {
    const events = new EventLog(join(dir, "events.ndjson"), new RunClock());
    const told: string[] = [];
    events.onFailure = (m) => told.push(m);
    events.write({ type: "phase", phase: "traffic" });
    events.close();
    expect(told).toEqual([]);
    expect(events.failure).toBeUndefined();
  });

  it("WriteLedger tells the first write failure at once, and close() rejects with it", async () => {
    const seen: Error[] = [];
    const ledger = new WriteLedger(FULL, 0, (e) => seen.push(e));
    for (let i = 0; i < 3; i++) ledger.add({ traffic: "devices", op: "write", id: `w${i}`, startEpochMs: i, durationMs: 1, outcome: "ok", cause: "http_201", node: "app-1" });
    await expect(ledger.close()).rejects.toMatchObject({ code: "ENOSPC" });
    expect(seen).toHaveLength(1);
    expect((seen[0] as NodeJS.ErrnoException).code).toBe("ENOSPC");
  });
});
