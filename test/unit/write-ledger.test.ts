import { mkdtemp, readFile, rm, writeFile, appendFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { OpRecord } from "../../core/history.ts";
import { readLedgerFile, WriteLedger } from "../../load/write-ledger.ts";

const startMs = 1_700_000_000_000;
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "havoc-ledger-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function write(id: string, outcome: OpRecord["outcome"], atMs = 0, traffic = "devices"): OpRecord {
  const cause = outcome === "ok" ? "http_201" : outcome === "fail" ? "http_503" : "timeout";
  return { traffic, op: "write", id, startEpochMs: startMs + atMs, durationMs: 3, outcome, cause, node: "app-1" };
}

describe("WriteLedger", () => {
  it("is empty for no ops, and the empty file reads back empty", async () => {
    const path = join(dir, "ledger.ndjson");
    const ledger = new WriteLedger(path, startMs);
    expect(ledger.sets("devices")).toEqual({ acknowledged: [], unknown: [], failed: [] });
    await ledger.close();
    expect(await readFile(path, "utf8")).toBe("");
    expect((await readLedgerFile(path)).size).toBe(0);
  });

  it("lists ok, unknown and failed writes, counts failures, ignores reads", async () => {
    const path = join(dir, "ledger.ndjson");
    const ledger = new WriteLedger(path, startMs);
    ledger.add(write("a", "ok", 1_500));
    ledger.add(write("b", "unknown", 2_000));
    ledger.add(write("c", "fail"));
    ledger.add({ ...write("r", "ok"), op: "read" });
    ledger.add({ ...write("x", "ok"), id: undefined });
    expect(ledger.sets("devices")).toEqual({ acknowledged: ["a"], unknown: ["b"], failed: ["c"] });
    // Each acknowledgement at its answer: start 1.5 s + 3 ms.
    expect(ledger.acknowledgedAtMs("devices")).toEqual([1_503]);
    expect(ledger.failed("devices")).toBe(1);
    expect(ledger.writesWithoutId).toBe(1);
    await ledger.close();
    const lines = (await readFile(path, "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { id: "a", traffic: "devices", outcome: "ok", cause: "http_201", atMs: 1_500, durationMs: 3, node: "app-1" },
      { id: "b", traffic: "devices", outcome: "unknown", cause: "timeout", atMs: 2_000, durationMs: 3, node: "app-1" },
      { id: "c", traffic: "devices", outcome: "fail", cause: "http_503", atMs: 0, durationMs: 3, node: "app-1" },
    ]);
  });

  it("keeps an id's strongest outcome (acknowledged, then unknown, then failed), in any order", async () => {
    const path = join(dir, "ledger.ndjson");
    const ledger = new WriteLedger(path, startMs);
    ledger.add(write("ack-then-unknown", "ok"));
    ledger.add(write("ack-then-unknown", "unknown"));
    ledger.add(write("unknown-then-ack", "unknown"));
    ledger.add(write("unknown-then-ack", "fail"));
    ledger.add(write("unknown-then-ack", "ok"));
    ledger.add(write("twice-unknown", "unknown"));
    ledger.add(write("twice-unknown", "unknown"));
    ledger.add(write("fail-then-unknown", "fail"));
    ledger.add(write("fail-then-unknown", "unknown"));
    ledger.add(write("unknown-then-fail", "unknown"));
    ledger.add(write("unknown-then-fail", "fail"));
    ledger.add(write("twice-failed", "fail"));
    ledger.add(write("twice-failed", "fail"));
    const expected = {
      acknowledged: ["ack-then-unknown", "unknown-then-ack"],
      unknown: ["twice-unknown", "fail-then-unknown", "unknown-then-fail"],
      failed: ["twice-failed"],
    };
    expect(ledger.sets("devices")).toEqual(expected);
    await ledger.close();
    expect((await readLedgerFile(path)).get("devices")).toEqual(expected);
  });

  it("keeps traffic classes apart", async () => {
    const path = join(dir, "ledger.ndjson");
    const ledger = new WriteLedger(path, startMs);
    ledger.add(write("same-id", "ok", 0, "devices"));
    ledger.add(write("same-id", "unknown", 0, "users"));
    ledger.add(write("f", "fail", 0, "admins"));
    expect(ledger.sets("users")).toEqual({ acknowledged: [], unknown: ["same-id"], failed: [] });
    expect(ledger.sets("nobody")).toEqual({ acknowledged: [], unknown: [], failed: [] });
    expect(ledger.traffics().sort()).toEqual(["admins", "devices", "users"]);
    await ledger.close();
    await ledger.close(); // idempotent
    const sets = await readLedgerFile(path);
    expect(sets.get("devices")).toEqual({ acknowledged: ["same-id"], unknown: [], failed: [] });
    expect(sets.get("users")).toEqual({ acknowledged: [], unknown: ["same-id"], failed: [] });
    expect(sets.get("admins")).toEqual({ acknowledged: [], unknown: [], failed: ["f"] });
    expect(() => ledger.add(write("late", "ok"))).toThrow(/after close/);
  });

  it("tolerates a torn last line from a killed run but not a bad line in the middle", async () => {
    const good = JSON.stringify({ id: "a", traffic: "devices", outcome: "ok", cause: "http_201", atMs: 1 });
    const torn = join(dir, "torn.ndjson");
    await writeFile(torn, `${good}\n{"id":"b","traff`);
    expect((await readLedgerFile(torn)).get("devices")).toEqual({ acknowledged: ["a"], unknown: [], failed: [] });
    const broken = join(dir, "broken.ndjson");
    await writeFile(broken, `${good}\nnot json\n`);
    await appendFile(broken, `${good}\n`);
    await expect(readLedgerFile(broken)).rejects.toThrow(/broken.ndjson:2/);
  });

  it("reports a write error from close()", async () => {
    const ledger = new WriteLedger(join(dir, "missing-dir", "ledger.ndjson"), startMs);
    ledger.add(write("a", "ok"));
    await expect(ledger.close()).rejects.toThrow(/ENOENT/);
  });
});
