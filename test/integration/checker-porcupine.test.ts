import { execFileSync, spawnSync } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkLinearizable, type LinearizableOptions } from "../../judge/checkers/linearizable.ts";
import { simulateRegisterHistory } from "../../judge/checkers/register-history-sim.ts";
import { WorkloadOp } from "../../judge/checkers/workload-op.ts";

/**
 * The linearizability checker end to end: porcupine-check built from env/go/porcupine-check, fed hand-made register
 * histories whose verdict is known (ground truth), plus the ways the process can fail.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const goAvailable = spawnSync("go", ["version"]).status === 0;

let dir = "";
let binaryPath = "";

beforeAll(async () => {
  if (!goAvailable) return;
  dir = await mkdtemp(join(tmpdir(), "havoc-porcupine-"));
  binaryPath = join(dir, "porcupine-check");
  execFileSync("go", ["build", "-o", binaryPath, "."], { cwd: join(root, "env/go/porcupine-check"), stdio: "pipe" });
}, 300_000);

afterAll(async () => {
  if (dir !== "") await rm(dir, { recursive: true, force: true });
});

type Draft = Omit<WorkloadOp, "index">;
type Key = number | string;

/** Numbers each draft with its position, as a history file would (line = index + 1). */
function history(...drafts: Draft[]): WorkloadOp[] {
  return drafts.map((d, index) => WorkloadOp.parse({ index, ...d }));
}

const info = null;
/** A write; completeMs null (info) means the client never learnt whether it happened. */
function w(process: number, invokeMs: number, completeMs: number | null, value: number, key: Key = 1, type: WorkloadOp["type"] = completeMs === null ? "info" : "ok"): Draft {
  return { process, f: "write", type, invokeMs, completeMs, value: { key, value } };
}
function r(process: number, invokeMs: number, completeMs: number, value: number | null, key: Key = 1): Draft {
  return { process, f: "read", type: "ok", invokeMs, completeMs, value: { key, value } };
}
/** A cas: type ok swapped, fail returned false (value was not `from`), info unknown (completeMs null). */
function cas(process: number, invokeMs: number, completeMs: number | null, from: number, to: number, type: WorkloadOp["type"], key: Key = 1): Draft {
  return { process, f: "cas", type, invokeMs, completeMs, value: { key, from, to } };
}

const check = (ops: readonly WorkloadOp[], options: Partial<LinearizableOptions> = {}) => checkLinearizable(ops, { binaryPath, visualizationDir: join(dir, "vis"), ...options });

async function expectPass(ops: readonly WorkloadOp[]) {
  const result = await check(ops);
  expect(result.why).toMatch(/linearizable/);
  expect(result.verdict).toBe("pass");
  return result;
}

/** Asserts the verdict is fail on exactly `badKey`, and that the other keys were checked ok. */
async function expectFailOn(ops: readonly WorkloadOp[], badKey: string) {
  const result = await check(ops);
  expect(result.verdict).toBe("fail");
  expect(result.why).toMatch(new RegExp(`^key ${badKey} is not linearizable`));
  expect(result.keys.filter((k) => k.result === "illegal").map((k) => k.key)).toEqual([badKey]);
  expect(result.keys.filter((k) => k.key !== badKey).every((k) => k.result === "ok")).toBe(true);
  return result;
}

/** Clean traffic on keys 1 and 2, so a failure must be pinned on the right key. */
const cleanNeighbours = (): Draft[] => [w(8, 0, 5, 1, 1), r(9, 6, 8, 1, 1), w(8, 10, 12, 2, 2), r(9, 13, 15, 2, 2)];

describe.skipIf(!goAvailable)(`porcupine-check on hand-made register histories${goAvailable ? "" : " (skipped: `go` is not on PATH, so porcupine-check cannot be built)"}`, () => {
  describe("linearizable histories pass", () => {
    it("concurrent writes, with concurrent reads seeing either value and a later read seeing the last", async () => {
      for (const last of [1, 2]) {
        await expectPass(history(w(0, 0, 100, 1), w(1, 0, 100, 2), r(2, 50, 60, 1), r(3, 50, 60, 2), r(2, 110, 120, last)));
      }
    });

    it("a cas chain, with a cas that returned false and two racing cas of which one wins", async () => {
      await expectPass(
        history(
          w(0, 0, 10, 0),
          cas(0, 20, 30, 0, 1, "ok"),
          cas(1, 40, 50, 1, 2, "ok"),
          cas(2, 60, 70, 1, 3, "fail"),
          cas(0, 80, 100, 2, 3, "ok"),
          cas(1, 80, 100, 2, 4, "fail"),
          r(2, 110, 120, 3),
        ),
      );
    });

    it("a cas on the empty register returns false", async () => {
      await expectPass(history(cas(0, 0, 10, 0, 1, "fail"), r(1, 20, 30, null)));
    });

    it("Knossos's README: a crashed (info) write of 3, concurrent with a read of 3, did happen", async () => {
      await expectPass(history(r(0, 0, 20, 3), w(1, 5, info, 3)));
    });

    it("an info write that never happened: later reads see the old value", async () => {
      await expectPass(history(w(0, 0, 10, 1), w(1, 20, info, 2), r(2, 30, 40, 1), r(2, 50, 60, 1)));
    });

    it("an info cas that happened, and one that did not", async () => {
      await expectPass(history(w(0, 0, 10, 1), cas(1, 20, info, 1, 2, "info"), r(2, 30, 40, 2)));
      await expectPass(history(w(0, 0, 10, 1), cas(1, 20, info, 1, 2, "info"), r(2, 30, 40, 1), r(2, 50, 60, 1)));
    });

    it("a write that failed with an error did not happen", async () => {
      const failed: Draft = { ...w(1, 20, 30, 2), type: "fail", error: "connection refused" };
      await expectPass(history(w(0, 0, 10, 1), failed, r(2, 40, 50, 1)));
    });

    it("Porcupine's register example: a read concurrent with a write may see the old value (nil)", async () => {
      await expectPass(history(w(0, 0, 100, 100), r(1, 25, 75, 100), r(2, 30, 60, null)));
    });

    it("a simulated history of 2,000 ops on 5 keys by 10 processes", async () => {
      const result = await expectPass(simulateRegisterHistory({ ops: 2_000, keys: 5, processes: 10, seed: 11 }));
      expect(result.keys.map((k) => k.key)).toEqual(["0", "1", "2", "3", "4"]);
      expect(result.keys.reduce((n, k) => n + k.ops, 0)).toBe(2_000);
    });
  });

  describe("non-linearizable histories fail on the right key", () => {
    it("a stale read after a completed write, with the prefix, where it breaks, and the visualization", async () => {
      // Lines 5-7 are key 3: write 1, write 2, then a read of 1.
      const result = await expectFailOn(history(...cleanNeighbours(), w(0, 0, 10, 1, 3), w(0, 20, 30, 2, 3), r(1, 40, 50, 1, 3)), "3");
      const key3 = result.keys.find((k) => k.key === "3")!;
      expect(key3.linearizablePrefix).toEqual([4, 5]);
      expect(key3.unlinearizableOp).toBe(6);
      expect(result.why).toBe("key 3 is not linearizable (3 ops; prefix of 2 linearizable; stuck at line 7; see linearizability-3.html)");
      expect(key3.visualization).toBe(join(dir, "vis", "linearizability-3.html"));
      const html = await readFile(key3.visualization!, "utf8");
      expect(html).toContain("Porcupine");
      expect(html).toContain("read() -\\u003e 1");
      expect(result.keys.filter((k) => k.key !== "3").every((k) => k.visualization === null)).toBe(true);
    });

    it("a read of a value never written", async () => {
      const result = await expectFailOn(history(...cleanNeighbours(), w(0, 0, 10, 1, 3), r(1, 20, 30, 7, 3)), "3");
      expect(result.keys.find((k) => k.key === "3")!.unlinearizableOp).toBe(5);
    });

    it("two reads in realtime order that go backwards, during one long write", async () => {
      await expectFailOn(history(...cleanNeighbours(), w(0, 0, 100, 1, "x"), r(1, 10, 20, 1, "x"), r(2, 30, 40, null, "x")), "x");
    });

    it("a successful cas from a value the register could not hold", async () => {
      await expectFailOn(history(...cleanNeighbours(), w(0, 0, 10, 1, 3), cas(1, 20, 30, 2, 3, "ok", 3)), "3");
    });

    it("a cas that returned false while the register held `from` throughout", async () => {
      await expectFailOn(history(...cleanNeighbours(), w(0, 0, 10, 1, 3), cas(1, 20, 30, 1, 5, "fail", 3), r(2, 40, 50, 1, 3)), "3");
    });

    it("a read of a write that failed (did not happen)", async () => {
      const failed: Draft = { ...w(0, 0, 10, 5, 3), type: "fail", error: "connection refused" };
      await expectFailOn(history(...cleanNeighbours(), failed, r(1, 20, 30, 5, 3)), "3");
    });

    it("Porcupine's register example: a read of nil after a concurrent read already saw the write", async () => {
      await expectFailOn(history(...cleanNeighbours(), w(0, 0, 100, 200, 3), r(1, 10, 30, 200, 3), r(2, 40, 90, null, 3)), "3");
    });

    it("Knossos's rethink-fail-minimal: a read of 3, which nobody wrote, while 4 was being written", async () => {
      // invoke write 0, ok; invoke read (p1); invoke write 4 (p2); read ok 3; write ok 4; read (p3) ok 4.
      await expectFailOn(history(...cleanNeighbours(), w(0, 0, 1, 0, 3), r(1, 2, 4, 3, 3), w(2, 3, 5, 4, 3), r(3, 6, 7, 4, 3)), "3");
    });

    it("an info write seen by one read and missed by a later one", async () => {
      await expectFailOn(history(...cleanNeighbours(), w(0, 0, info, 3, 3), r(1, 10, 20, 3, 3), r(1, 30, 40, null, 3)), "3");
    });
  });

  describe("no answer is unknown, never pass", () => {
    it("a history too big for a 1 ms search is unknown with the reason, and passes with time to finish", async () => {
      const ops = simulateRegisterHistory({ ops: 20_000, keys: 5, processes: 10, seed: 5 });
      const rushed = await check(ops, { timeoutMsPerKey: 1 });
      expect(rushed.verdict).toBe("unknown");
      expect(rushed.why).toMatch(/^key 0: search past its 1 ms timeout \(\d+ ops\) \(5 keys unknown\)$/);
      expect(rushed.maxMsPerKey).toBe(1);
      const patient = await check(ops, { timeoutMsPerKey: 60_000, budgetMs: 240_000 });
      expect(patient.verdict).toBe("pass");
    });

    it("keys not reached within the budget are unknown", async () => {
      const ops = simulateRegisterHistory({ ops: 30_000, keys: 3, processes: 10, seed: 6 });
      const result = await check(ops, { budgetMs: 1 });
      expect(result.verdict).toBe("unknown");
      expect(result.keys.every((k) => k.result === "unknown" && /budget/.test(k.reason ?? ""))).toBe(true);
    });

    it("a search that outgrows the memory limit is unknown", async () => {
      const ops = simulateRegisterHistory({ ops: 50_000, keys: 1, processes: 10, seed: 7 });
      const result = await check(ops, { memoryLimitMB: 32, timeoutMsPerKey: 120_000 });
      expect(result.verdict).toBe("unknown");
      expect(result.why).toMatch(/^key 0: search abandoned: the live heap passed the 32 MB memory limit/);
    });

    it("malformed register ops are problems with their line, and the binary is not needed to say unknown", async () => {
      const ops = history(w(0, 0, 10, 1), { process: 1, f: "read", type: "ok", invokeMs: 20, completeMs: 10, value: { key: 1, value: 1 } });
      const result = await checkLinearizable(ops, { binaryPath: "/nonexistent" });
      expect(result.verdict).toBe("unknown");
      expect(result.problems).toEqual([{ line: 2, message: "read (process 1): completeMs 10 is before invokeMs 20" }]);
    });
  });

  describe("a broken binary is unknown, never pass", () => {
    const ops = () => history(w(0, 0, 10, 1), r(1, 20, 30, 1));
    async function script(name: string, body: string): Promise<string> {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/sh\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    }

    it("/bin/false: exit status", async () => {
      const result = await checkLinearizable(ops(), { binaryPath: "/bin/false" });
      expect(result).toMatchObject({ verdict: "unknown", why: "porcupine-check exited 1" });
    });

    it("a missing binary", async () => {
      const result = await checkLinearizable(ops(), { binaryPath: join(dir, "missing") });
      expect(result.verdict).toBe("unknown");
      expect(result.why).toMatch(/could not start .*ENOENT/);
    });

    it("garbage on stdout, JSON of the wrong shape, a key missing", async () => {
      const garbage = await checkLinearizable(ops(), { binaryPath: await script("garbage", "cat >/dev/null; echo 'all good'") });
      expect(garbage).toMatchObject({ verdict: "unknown", why: 'porcupine-check printed output that is not JSON (9 chars, starting "all good ")' });
      const shape = await checkLinearizable(ops(), { binaryPath: await script("shape", `cat >/dev/null; echo '{"keys":[{"key":"1","result":"fine"}]}'`) });
      expect(shape.verdict).toBe("unknown");
      expect(shape.why).toMatch(/^porcupine-check printed JSON of the wrong shape: /);
      const none = await checkLinearizable(ops(), { binaryPath: await script("none", `cat >/dev/null; echo '{"keys":[],"elapsedMs":0,"peakHeapMB":0}'`) });
      expect(none).toMatchObject({ verdict: "unknown", why: "porcupine-check reported 0 keys for the 1 sent (missing key 1)" });
    });

    it("a binary that hangs is killed past the budget and its grace", async () => {
      const started = Date.now();
      const result = await checkLinearizable(ops(), { binaryPath: await script("hang", "exec sleep 60"), budgetMs: 200 });
      expect(result).toMatchObject({ verdict: "unknown", why: "porcupine-check killed after 5.2 s (the check's budget and its grace)" });
      expect(Date.now() - started).toBeLessThan(30_000);
    });

    it("a bad-input exit passes the program's own reason on", async () => {
      const result = await checkLinearizable(ops(), { binaryPath, memoryLimitMB: 1 });
      expect(result.verdict).toBe("unknown");
      expect(result.why).toBe("porcupine-check exited 2: porcupine-check: bad input: memoryLimitMB: expected at least 16, got 1");
    });
  });
});
