import { describe, expect, it } from "vitest";
import type { History } from "../../core/history.ts";
import { decodeOpTrace, encodeOpTrace, outcomeLetter } from "../../core/op-trace.ts";
import { SloSpec, type SloSpecInput } from "../../judge/slo-kinds.ts";
import { evaluateSlo } from "../../judge/evaluate.ts";
import { opIndex, outagesFromOps, recoveryFromOps } from "../../judge/slos/op-window.ts";

// Hand-made op traces (no Docker) modelling ground truths: an open-model client at 50 requests a second.

interface Op {
  startMs: number;
  durationMs: number;
  outcome: "ok" | "fail" | "unknown";
  write?: boolean;
}

function trace(ops: Op[]) {
  return encodeOpTrace(
    ops.map((o) => o.startMs),
    ops.map((o) => o.durationMs),
    ops.map((o) => outcomeLetter(o.outcome, o.write ?? true)),
    ops.length,
  );
}

/** One op every `everyMs` in [fromMs, toMs), shaped by `at(startMs)`. */
function every(fromMs: number, toMs: number, everyMs: number, at: (startMs: number) => Omit<Op, "startMs">): Op[] {
  const ops: Op[] = [];
  for (let t = fromMs; t < toMs; t += everyMs) ops.push({ startMs: t, ...at(t) });
  return ops;
}

function history(ops: Op[], faults: History["faults"] = []): History {
  return {
    runId: "r",
    scenario: "s",
    seed: 1,
    trafficStartEpochMs: 0,
    trafficEndMs: 60_000,
    timeline: [],
    faults,
    containerEvents: [],
    writes: {},
    droppedIterations: {},
    droppedBySecond: [],
    ops: { devices: trace(ops) },
  };
}

const judge = (slo: SloSpecInput, h: History) => evaluateSlo(SloSpec.parse(slo), h);

describe("op trace", () => {
  it("round-trips ops given in any order, sorted by start, with writes and reads told apart", async () => {
    const t = trace([
      { startMs: 30, durationMs: 5, outcome: "fail", write: false },
      { startMs: 10, durationMs: 2.4, outcome: "ok" },
      { startMs: 20, durationMs: 2000, outcome: "unknown" },
    ]);
    expect(t).toEqual({ startDeltaMs: [10, 10, 10], durationMs: [2, 2000, 5], outcomes: "OUf" });
    const writes = decodeOpTrace(t, "writes");
    expect([...writes.startMs]).toEqual([10, 20]);
    expect([...writes.endMs]).toEqual([12, 2020]);
    expect([...writes.ok]).toEqual([1, 0]);
    expect(decodeOpTrace(t, "reads").length).toBe(1);
  });
});

describe("outages from ops (ms)", () => {
  // A balancer killed at 20.000 s and ready again at 30.400 s: connections refused in between (ground truth 10.4 s).
  const lbKill = every(0, 60_000, 20, (t) => (t >= 20_000 && t < 30_400 ? { durationMs: 1, outcome: "fail" } : { durationMs: 3, outcome: "ok" }));

  it("times a balancer kill to the ms, bounded by the ops around it", async () => {
    const result = await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "15s" }, history(lbKill));
    expect(result.verdict).toBe("pass");
    // First refused op starts at 20.000 s; the first ok after answers at 30.403 s.
    expect(result.observed).toBe(10_403);
    expect(result.bounds).toEqual({
      lastOkBefore: { startMs: 19_980, endMs: 19_983, ok: true },
      firstNotOk: { startMs: 20_000, endMs: 20_001, ok: false },
      firstOkAfter: { startMs: 30_400, endMs: 30_403, ok: true },
    });
    expect(result.why).toContain("devices longest outage 10.403 s (20.000 s to 30.403 s; last ok before answered at 19.983 s, first failed started at 20.000 s, first ok after answered at 30.403 s)");
  });

  it("times a 3 s pause as 3 s although requests time out after 2 s and hung ones succeed after it", async () => {
    // Paused from 20.000 to 23.000: ops started in [20.0, 21.0) time out (unknown) at +2 s, ops started in
    // [21.0, 23.0) hang and answer ok at 23.002 s; an op in flight at the pause answers ok at 23.002 s too.
    const pause = every(0, 60_000, 20, (t) => {
      if (t === 19_990) return { durationMs: 3_012, outcome: "ok" };
      if (t >= 20_000 && t < 21_000) return { durationMs: 2_000, outcome: "unknown" };
      if (t >= 21_000 && t < 23_000) return { durationMs: 23_002 - t, outcome: "ok" };
      return { durationMs: 2, outcome: "ok" };
    });
    const [outage, ...rest] = outagesFromOps(opIndex(history(pause), "devices")!, { fromMs: 0, toMs: 60_000 }, 50);
    expect(rest).toEqual([]);
    expect(outage).toMatchObject({ fromMs: 20_000, toMs: 23_002, recovered: true });
  });

  it("does not call a lone failure among successes an outage", async () => {
    const lone = every(0, 60_000, 20, (t) => (t === 30_000 ? { durationMs: 1, outcome: "fail" } : { durationMs: 3, outcome: "ok" }));
    expect(await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "1s" }, history(lone))).toMatchObject({ verdict: "pass", observed: 0 });
  });

  it("runs an outage that never ends to the end of the window and fails it", async () => {
    const dead = every(0, 60_000, 20, (t) => (t >= 50_000 ? { durationMs: 1, outcome: "fail" } : { durationMs: 3, outcome: "ok" }));
    const result = await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "5s" }, history(dead));
    expect(result).toMatchObject({ verdict: "fail", observed: 10_000 });
    expect(result.why).toContain("the end of the window, never back");
  });

  it("judges writes alone when reads stay up", async () => {
    const mixed = [
      ...every(0, 60_000, 20, (t) => (t >= 20_000 && t < 25_000 ? { durationMs: 1, outcome: "fail", write: true } : { durationMs: 3, outcome: "ok", write: true })),
      ...every(10, 60_000, 20, () => ({ durationMs: 3, outcome: "ok", write: false })),
    ];
    expect((await judge({ kind: "longest-outage", id: "o", traffic: "devices", ops: "writes", atMost: "10s" }, history(mixed))).observed).toBe(5_003);
    expect((await judge({ kind: "longest-outage", id: "o", traffic: "devices", ops: "reads", atMost: "10s" }, history(mixed))).observed).toBe(0);
    expect((await judge({ kind: "availability", id: "a", traffic: "devices", ops: "reads", atLeastPercent: 100 }, history(mixed))).verdict).toBe("pass");
  });
});

describe("failover from ops (ms)", () => {
  const kill = { id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 20_000, healedAtMs: 40_000, mechanism: "docker kill", notes: [] };

  it("measures until the balancer stops sending to the dead node (a third of ops fail for 1.7 s)", async () => {
    let n = 0;
    const ops = every(0, 60_000, 20, (t) => (t >= 20_000 && t < 21_700 && n++ % 3 === 0 ? { durationMs: 1, outcome: "fail" } : { durationMs: 3, outcome: "ok" }));
    const result = await judge({ kind: "recovery-time", id: "f", traffic: "devices", fault: "kill-app-2", atMost: "5s", stableFor: "5s", atLeastPercent: 100 }, history(ops, [kill]));
    expect(result.verdict).toBe("pass");
    // The last failed op starts at 21.680 s; at 100 % the first ok op with no failure started in its next 5 s is
    // the next one, started at 21.700 s and answering at 21.703 s.
    expect(result.observed).toBe(1_703);
    // At 99 % a few failures may still start in the hold: the first ok op whose next 5 s are >= 99 % comes earlier.
    const lenient = await judge({ kind: "recovery-time", id: "f", traffic: "devices", fault: "kill-app-2", atMost: "5s", stableFor: "5s" }, history(ops, [kill]));
    expect(lenient.observed).toBeLessThan(1_703);
    expect(lenient.observed).toBeGreaterThan(1_500);
    expect(result.bounds?.firstNotOk?.startMs).toBe(20_000);
  });

  it("is 0 when no op failed after the fault", async () => {
    const ops = every(0, 60_000, 20, () => ({ durationMs: 3, outcome: "ok" }));
    const result = await judge({ kind: "recovery-time", id: "f", traffic: "devices", fault: "kill-app-2", atMost: "5s" }, history(ops, [kill]));
    expect(result).toMatchObject({ verdict: "pass", observed: 0 });
  });

  it("fails with a lower bound when service never holds for stableFor before the data ends", async () => {
    const ops = every(0, 60_000, 20, (t) => (t >= 20_000 && Math.floor(t / 1000) % 2 === 0 ? { durationMs: 1, outcome: "fail" } : { durationMs: 3, outcome: "ok" }));
    const recovery = recoveryFromOps(opIndex(history(ops, [kill]), "devices")!, 20_000, 99, 5_000, 60_000);
    expect(recovery).toMatchObject({ kind: "never", atLeastMs: 35_000 });
    const result = await judge({ kind: "recovery-time", id: "f", traffic: "devices", fault: "kill-app-2", atMost: "10s" }, history(ops, [kill]));
    expect(result).toMatchObject({ verdict: "fail", observed: 35_000 });
  });
});
