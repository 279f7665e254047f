import { describe, expect, it } from "vitest";
import { simulateRegisterHistory } from "../../judge/checkers/register-history-sim.ts";
import { toRegisterHistory } from "../../judge/checkers/register-ops.ts";
import { WorkloadOp } from "../../judge/checkers/workload-op.ts";

type Draft = Omit<WorkloadOp, "index">;

function history(...drafts: Draft[]): WorkloadOp[] {
  return drafts.map((d, index) => WorkloadOp.parse({ index, ...d }));
}

const op = (f: string, type: WorkloadOp["type"], invokeMs: number, completeMs: number | null, value: unknown, extra: Partial<Draft> = {}): Draft => ({ process: 0, f, type, invokeMs, completeMs, value, ...extra });

describe("toRegisterHistory", () => {
  it("groups ops by key, numeric keys in numeric order, keeping each op's history index", () => {
    const h = toRegisterHistory(history(op("write", "ok", 0, 1, { key: 10, value: 1 }), op("read", "ok", 2, 3, { key: 2, value: null }), op("write", "ok", 4, 5, { key: 10, value: 2 })));
    expect(h.problems).toEqual([]);
    expect(h.keys.map((k) => k.key)).toEqual(["2", "10"]);
    expect(h.keys[1]!.ops.map((o) => o.index)).toEqual([0, 2]);
    expect(h.keys[0]!.ops[0]).toEqual({ process: 0, callMs: 2, returnMs: 3, f: "read", value: null, index: 1 });
  });

  it("reads the outcome from the type: ok cas swapped, fail cas returned false, info has no return", () => {
    const h = toRegisterHistory(
      history(
        op("cas", "ok", 0, 1, { key: "a", from: 1, to: 2 }),
        op("cas", "fail", 0, 1, { key: "a", from: 1, to: 2 }),
        op("cas", "info", 0, 9, { key: "a", from: 1, to: 2 }, { error: "timeout" }),
        op("write", "info", 0, null, { key: "a", value: 4 }),
        op("read", "info", 0, null, { key: "a", value: null }),
      ),
    );
    expect(h.keys[0]!.ops.map((o) => [o.f, o.returnMs, o.ok])).toEqual([
      ["cas", 1, true],
      ["cas", 1, false],
      // An info op may take effect after the client gave up: its completeMs is not a return.
      ["cas", null, undefined],
      ["write", null, undefined],
      ["read", null, undefined],
    ]);
  });

  it("leaves out ops that did not happen: failed reads and writes, and a cas the driver failed", () => {
    const h = toRegisterHistory(
      history(
        op("write", "fail", 0, 1, { key: 1, value: 1 }, { error: "connection refused" }),
        op("read", "fail", 0, 1, { key: 1, value: null }),
        op("cas", "fail", 0, 1, { key: 1, from: 1, to: 2 }, { error: "connection refused" }),
        op("write", "ok", 0, 1, { key: 1, value: 3 }),
      ),
    );
    expect(h.droppedFailed).toBe(3);
    expect(h.keys[0]!.ops.map((o) => o.index)).toEqual([3]);
  });

  it("reports malformed register ops with their line (index + 1)", () => {
    const h = toRegisterHistory(
      history(
        op("write", "ok", 0, 1, { key: 1, value: "x" }),
        op("read", "ok", 5, 4, { key: 1, value: 1 }),
        op("cas", "ok", 0, 1, { key: 1, from: 1 }),
        op("write", "ok", 0, null, { key: 1, value: 1 }),
        op("txn", "ok", 0, 1, [["append", 1, 2]]),
        op("read", "ok", 0, 1, { value: 1 }),
        op("cas", "fail", 0, null, { key: 1, from: 1, to: 2 }),
        op("write", "ok", 0, 1, { key: 1, value: 1.5 }),
      ),
    );
    expect(h.problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(h.problems[0]!.message).toMatch(/^write \(process 0\): value\.value: .*expected \{ key, value: integer \}/);
    expect(h.problems[1]!.message).toContain("completeMs 4 is before invokeMs 5");
    expect(h.problems[2]!.message).toContain("value.to");
    expect(h.problems[3]!.message).toContain("type ok needs a completeMs");
    expect(h.problems[4]!.message).toContain('f "txn" is not a register op');
    expect(h.problems[5]!.message).toContain("value.key");
    expect(h.problems[6]!.message).toContain("returned false");
    expect(h.keys).toEqual([]);
  });

  it("keeps the simulated history whole: every op, ok or a cas that returned false", () => {
    const ops = simulateRegisterHistory({ ops: 2_000, keys: 5, processes: 10, seed: 3 });
    const h = toRegisterHistory(ops);
    expect(h.problems).toEqual([]);
    expect(h.droppedFailed).toBe(0);
    expect(h.keys.map((k) => k.key)).toEqual(["0", "1", "2", "3", "4"]);
    expect(h.keys.reduce((n, k) => n + k.ops.length, 0)).toBe(2_000);
    expect(ops.some((o) => o.f === "cas" && o.type === "fail")).toBe(true);
    expect(ops.some((o) => o.f === "cas" && o.type === "ok")).toBe(true);
  });
});
