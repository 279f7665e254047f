import { describe, expect, it } from "vitest";
import { LinearizableResult, summarize } from "../../judge/checkers/linearizable.ts";
import type { PorcupineKeyResult } from "../../judge/checkers/linearizable-result.ts";
import type { RegisterHistory } from "../../judge/checkers/register-ops.ts";

const sent = (...keys: string[]): RegisterHistory => ({ keys: keys.map((key) => ({ key, ops: [] })), problems: [], droppedFailed: 0 });
const timing = { elapsedMs: 12.34, timeoutMsPerKey: 10_000 };
const key = (k: string, result: PorcupineKeyResult["result"], extra: Partial<PorcupineKeyResult> = {}): PorcupineKeyResult => ({ key: k, result, ops: 10, elapsedMs: 1, visualization: null, ...extra });
const output = (...keys: PorcupineKeyResult[]) => ({ ok: true as const, output: { keys, elapsedMs: 5, peakHeapMB: 1 } });

describe("summarize", () => {
  it("passes when every key sent came back ok, and says how long the slowest took against the bound", () => {
    const r = summarize(sent("1", "2"), output(key("1", "ok"), key("2", "ok", { elapsedMs: 1_500 })), timing);
    expect(r.verdict).toBe("pass");
    expect(r.why).toBe("2 keys linearizable (20 ops; slowest key 1.5 s, bound 10 s)");
    expect(r.maxMsPerKey).toBe(10_000);
    expect(LinearizableResult.parse(r)).toEqual(r);
  });

  it("fails on an illegal key, naming it, its prefix, where it breaks and the picture, even beside an unknown key", () => {
    const bad = key("3", "illegal", { ops: 412, linearizablePrefix: Array.from({ length: 87 }, (_, i) => i), unlinearizableOp: 95, visualization: "/tmp/x/linearizability-3.html" });
    const r = summarize(sent("3", "7"), output(bad, key("7", "unknown", { reason: "search past its 10 s timeout" })), timing);
    expect(r.verdict).toBe("fail");
    expect(r.why).toBe("key 3 is not linearizable (412 ops; prefix of 87 linearizable; stuck at line 96; see linearizability-3.html)");
  });

  it("names every illegal key", () => {
    const r = summarize(sent("1", "2"), output(key("1", "illegal"), key("2", "illegal")), timing);
    expect(r.why).toBe("key 1 is not linearizable (10 ops); also not linearizable: key 2");
  });

  it("is unknown when a key ran out of time, giving the key and the reason", () => {
    const r = summarize(sent("1", "7"), output(key("1", "ok"), key("7", "unknown", { ops: 50_000, reason: "search past its 10 s timeout" })), timing);
    expect(r.verdict).toBe("unknown");
    expect(r.why).toBe("key 7: search past its 10 s timeout (50000 ops)");
  });

  it("is unknown when a key sent is missing from the output", () => {
    const r = summarize(sent("1", "2"), output(key("1", "ok")), timing);
    expect(r.verdict).toBe("unknown");
    expect(r.why).toContain("missing key 2");
  });

  it("is unknown when the process failed, with its reason", () => {
    const r = summarize(sent("1"), { ok: false, reason: "porcupine-check exited 1" }, timing);
    expect(r).toMatchObject({ verdict: "unknown", why: "porcupine-check exited 1", keys: [] });
  });

  it("is unknown, never pass, for malformed input or nothing to check", () => {
    const problems = { keys: [], problems: [{ line: 4, message: "write (process 0): value.value: expected number" }], droppedFailed: 0 };
    expect(summarize(problems, undefined, timing)).toMatchObject({ verdict: "unknown", why: "1 register op malformed, not checked (first: line 4: write (process 0): value.value: expected number)", problems: problems.problems });
    expect(summarize(sent(), undefined, timing)).toMatchObject({ verdict: "unknown", why: "no register ops to check" });
  });
});
