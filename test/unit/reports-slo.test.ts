import { describe, expect, it } from "vitest";
import type { History, TimelineBucket } from "../../core/history.ts";
import { Scenario, type ScenarioInput } from "../../scenario/scenario.ts";
import type { SloWindow } from "../../judge/slo-kinds.ts";
import type { SloResult, Verdict } from "../../core/verdict.ts";
import { checkWriteSets, summarizeDataLoss } from "../../judge/data-loss.ts";
import { checkAvailability, countInWindow, type AvailabilitySloSpec } from "../../judge/slos/availability.ts";
import { evaluateSlos, exitCodeFor, runVerdict } from "../../judge/evaluate.ts";
import { checkLostWrites } from "../../judge/slos/lost-writes.ts";
import { secondsInWindow } from "../../judge/slos/series.ts";
import { resolveWindow } from "../../judge/slos/window.ts";

// Hand-made histories (no Docker): 60 s of "devices" traffic, app-2 killed at 20 s and started at 40 s.

function bucket(second: number, ok: number, fail = 0, unknown = 0, traffic = "devices"): TimelineBucket {
  return { traffic, second, requests: ok + fail + unknown, ok, fail, unknown, causes: { http_201: ok }, latency: { "25": ok + fail + unknown }, freshnessChecks: 0, staleReads: 0 };
}

/** `perSecond(from, to, f)`: one bucket per second in [from, to). */
function perSecond(fromS: number, toS: number, make: (second: number) => TimelineBucket): TimelineBucket[] {
  return Array.from({ length: toS - fromS }, (_, i) => make(fromS + i));
}

function history(overrides: Partial<History> = {}): History {
  return {
    runId: "run-1",
    scenario: "demo",
    seed: 7,
    trafficStartEpochMs: 1_700_000_000_000,
    trafficEndMs: 60_000,
    timeline: perSecond(0, 60, (s) => bucket(s, 200)),
    faults: [{ id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 20_000, healedAtMs: 40_000, mechanism: "docker kill SIGKILL", notes: [] }],
    containerEvents: [],
    writes: {},
    droppedIterations: {},
    droppedBySecond: [],
    ...overrides,
  };
}

function availability(window: SloWindow, atLeastPercent = 99): AvailabilitySloSpec {
  return { kind: "availability", id: "devices-available", traffic: "devices", ops: "all", window, atLeastPercent };
}

const scenarioInput: ScenarioInput = {
  name: "demo",
  secrets: ["device-key"],
  topology: { nodes: [{ name: "app-1", image: "app", ports: [8080] }, { name: "app-2", image: "app", ports: [8080] }] },
  traffic: [{ name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app-1", port: 8080 }, duration: "60s" }],
  faults: [{ kind: "kill", id: "kill-app-2", target: { names: ["app-2"] }, at: "20s", for: "20s" }],
  readback: [{ kind: "postgres", traffic: "devices", node: "app-2", port: 8080, database: "d", user: "u", password: "p", idsQuery: "SELECT id FROM t" }],
  slos: [
    { kind: "availability", id: "available", traffic: "devices", atLeastPercent: 99 },
    { kind: "lost-writes", id: "no-lost-writes", traffic: "devices" },
  ],
};

describe("resolveWindow", () => {
  it("resolves the run to [0, trafficEnd)", async () => {
    expect(resolveWindow({ kind: "run" }, history())).toEqual({ window: { label: "over the run (0.0 s to 60.0 s)", fromMs: 0, toMs: 60_000 } });
  });

  it("resolves before, during and after a healed fault from the FaultRecord", async () => {
    const h = history();
    expect(resolveWindow({ kind: "fault", fault: "kill-app-2", phase: "before" }, h)).toEqual({ window: { label: "before kill app-2 (0.0 s to 20.0 s)", fromMs: 0, toMs: 20_000 } });
    expect(resolveWindow({ kind: "fault", fault: "kill-app-2", phase: "during" }, h)).toEqual({ window: { label: "during kill app-2 (20.0 s to 40.0 s)", fromMs: 20_000, toMs: 40_000 } });
    expect(resolveWindow({ kind: "fault", fault: "kill-app-2", phase: "after" }, h)).toEqual({ window: { label: "after kill app-2 (40.0 s to 60.0 s)", fromMs: 40_000, toMs: 60_000 } });
  });

  it("uses the recorded injection time, not the planned one", async () => {
    const h = history({ faults: [{ id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 21_350, healedAtMs: 40_120, mechanism: "docker kill", notes: [] }] });
    expect(resolveWindow({ kind: "fault", fault: "kill-app-2", phase: "during" }, h).window).toMatchObject({ fromMs: 21_350, toMs: 40_120 });
  });

  it("ends the before window at the whole second before the inject call, not at the verified effect", async () => {
    // A zone cut called at 15.02 s whose rules were all verified at 15.835 s: second 15 may already be cut.
    const cut = { id: "split", kind: "zone-cut", targets: ["db-a", "db-b"], calledAtMs: 15_020, injectedAtMs: 15_835, healedAtMs: 35_395, mechanism: "nft", notes: [] };
    expect(resolveWindow({ kind: "fault", fault: "split", phase: "before" }, history({ faults: [cut] }))).toEqual({ window: { label: "before zone-cut db-a, db-b (0.0 s to 15.0 s)", fromMs: 0, toMs: 15_000 } });
    // The second holding the call is out even when the call is late in it; a call on a whole second keeps the one before.
    expect(resolveWindow({ kind: "fault", fault: "split", phase: "before" }, history({ faults: [{ ...cut, calledAtMs: 15_990 }] })).window).toMatchObject({ toMs: 15_000 });
    expect(resolveWindow({ kind: "fault", fault: "split", phase: "before" }, history({ faults: [{ ...cut, calledAtMs: 15_000 }] })).window).toMatchObject({ toMs: 15_000 });
    // A run recorded before calls were recorded: the injection time, rounded down the same way.
    const { calledAtMs: _, ...old } = cut;
    expect(resolveWindow({ kind: "fault", fault: "split", phase: "before" }, history({ faults: [old] })).window).toMatchObject({ toMs: 15_000 });
    // Judged at 1 s resolution, second 15 (failures from 15.02 s on) is not "before".
    const seconds = secondsInWindow([bucket(14, 10), bucket(15, 3, 7)], "devices", { fromMs: 0, toMs: 15_000 });
    expect(seconds.map((s) => s.second)).toEqual([14]);
  });

  it("runs a never-healed fault's during window to traffic end and gives it no after window", async () => {
    const h = history({ faults: [{ id: "kill-app-2", kind: "kill", targets: ["app-2", "app-3"], injectedAtMs: 20_000, healedAtMs: null, mechanism: "docker kill", notes: [] }] });
    expect(resolveWindow({ kind: "fault", fault: "kill-app-2", phase: "during" }, h)).toEqual({
      window: { label: "during kill app-2, app-3 (20.0 s to 60.0 s, never healed)", fromMs: 20_000, toMs: 60_000 },
    });
    const after = resolveWindow({ kind: "fault", fault: "kill-app-2", phase: "after" }, h);
    expect(after.window).toBeNull();
    expect(after).toMatchObject({ why: expect.stringContaining("never healed") });
  });

  it("has no window for a fault that never ran", async () => {
    const resolved = resolveWindow({ kind: "fault", fault: "kill-app-2", phase: "during" }, history({ faults: [] }));
    expect(resolved).toEqual({ window: null, why: 'fault "kill-app-2" never ran, so its during window does not exist' });
  });

  it("takes an interval as given", async () => {
    expect(resolveWindow({ kind: "interval", from: 5_000, to: 15_000 }, history())).toEqual({ window: { label: "in interval (5.0 s to 15.0 s)", fromMs: 5_000, toMs: 15_000 } });
  });
});

describe("checkAvailability", () => {
  it("passes over the run with the counts in the why", async () => {
    const timeline = perSecond(0, 60, (s) => (s === 30 ? bucket(s, 176, 20, 4) : bucket(s, 200)));
    const result = checkAvailability(availability({ kind: "run" }), history({ timeline }));
    expect(result).toEqual<SloResult>({
      id: "devices-available",
      kind: "availability",
      verdict: "pass",
      observed: 99.8,
      target: ">= 99%",
      unit: "%",
      window: { label: "over the run (0.0 s to 60.0 s)", fromMs: 0, toMs: 60_000 },
      why: "devices availability 99.80% >= 99% over the run (0.0 s to 60.0 s): 12,000 requests, 24 not ok (20 failed, 4 unknown)",
    });
  });

  it("fails during the fault, counting only the seconds inside the window", async () => {
    // Seconds 20..39 lose 10 %; the healthy seconds around them must not dilute it.
    const timeline = perSecond(0, 60, (s) => (s >= 20 && s < 40 ? bucket(s, 180, 20) : bucket(s, 200)));
    const result = checkAvailability(availability({ kind: "fault", fault: "kill-app-2", phase: "during" }), history({ timeline }));
    expect(result.verdict).toBe("fail");
    expect(result.observed).toBe(90);
    expect(result.why).toBe("devices availability 90.00% < 99% during kill app-2 (20.0 s to 40.0 s): 4,000 requests, 400 not ok (400 failed, 0 unknown)");
  });

  it("counts unknown outcomes as not available", async () => {
    const timeline = perSecond(0, 60, (s) => bucket(s, 190, 0, 10));
    const result = checkAvailability(availability({ kind: "run" }), history({ timeline }));
    expect(result.verdict).toBe("fail");
    expect(result.observed).toBe(95);
  });

  it("counts a bucket when its second starts inside the window (1 s resolution)", async () => {
    const timeline = perSecond(0, 60, (s) => bucket(s, 1));
    expect(countInWindow(timeline, "devices", { fromMs: 20_500, toMs: 40_500 }).requests).toBe(20); // seconds 21..40
    expect(countInWindow(timeline, "devices", { fromMs: 20_000, toMs: 40_000 }).requests).toBe(20); // seconds 20..39
    expect(countInWindow(timeline, "other", { fromMs: 0, toMs: 60_000 }).requests).toBe(0);
  });

  it("is unknown, never pass, with no traffic in the window", async () => {
    const timeline = perSecond(0, 20, (s) => bucket(s, 200));
    const result = checkAvailability(availability({ kind: "fault", fault: "kill-app-2", phase: "during" }), history({ timeline }));
    expect(result.verdict).toBe("unknown");
    expect(result.observed).toBeNull();
    expect(result.why).toBe("no traffic in window: no devices requests during kill app-2 (20.0 s to 40.0 s)");
  });

  it("is unknown when the fault of its window never ran", async () => {
    const result = checkAvailability(availability({ kind: "fault", fault: "kill-app-2", phase: "after" }), history({ faults: [] }));
    expect(result).toMatchObject({ verdict: "unknown", observed: null, window: null });
    expect(result.why).toContain("never ran");
  });

  it("turns a would-be pass into unknown when the load generator dropped iterations", async () => {
    const result = checkAvailability(availability({ kind: "run" }), history({ droppedIterations: { devices: 37 } }));
    expect(result.verdict).toBe("unknown");
    expect(result.observed).toBe(100);
    expect(result.why).toMatch(/^load generator dropped 37 iterations; cannot judge: devices availability 100\.00% >= 99%/);
  });

  it("counts only the window's dropped iterations when every one is placed in a second", async () => {
    // 30 dropped during the fault (20 s to 40 s): the before window was offered all its load and passes.
    const droppedBySecond = [
      { traffic: "devices", second: 25, count: 20 },
      { traffic: "devices", second: 26, count: 10 },
    ];
    const before = availability({ kind: "fault", fault: "kill-app-2", phase: "before" });
    expect(checkAvailability(before, history({ droppedIterations: { devices: 30 }, droppedBySecond })).verdict).toBe("pass");
    const during = checkAvailability(availability({ kind: "fault", fault: "kill-app-2", phase: "during" }), history({ droppedIterations: { devices: 30 }, droppedBySecond }));
    expect(during.verdict).toBe("unknown");
    expect(during.why).toMatch(/^load generator dropped 30 iterations;/);
    // One dropped iteration not placed in any second (a killed run re-rendered) could be anywhere: the total counts.
    const unplaced = checkAvailability(before, history({ droppedIterations: { devices: 31 }, droppedBySecond }));
    expect(unplaced.verdict).toBe("unknown");
    expect(unplaced.why).toMatch(/^load generator dropped 31 iterations;/);
  });

  it("keeps a fail a fail despite dropped iterations", async () => {
    const timeline = perSecond(0, 60, (s) => bucket(s, 100, 100));
    const result = checkAvailability(availability({ kind: "run" }), history({ timeline, droppedIterations: { devices: 5 } }));
    expect(result.verdict).toBe("fail");
  });

  it("never prints a failing value as meeting the target (truncates, does not round)", async () => {
    // 9,899.6 / 10,000 -> 98.996 %: must show 98.99 %, not 99.00 %.
    const timeline = [bucket(0, 49_498, 502)];
    const result = checkAvailability(availability({ kind: "run" }), history({ timeline }));
    expect(result.verdict).toBe("fail");
    expect(result.observed).toBe(98.99);
  });

  it("passes at exactly the target", async () => {
    const result = checkAvailability(availability({ kind: "run" }, 99.9), history({ timeline: [bucket(0, 999, 1)] }));
    expect(result).toMatchObject({ verdict: "pass", observed: 99.9 });
  });
});

describe("lost writes (Jepsen set checker)", () => {
  const sets = {
    acknowledged: ["a1", "a2", "a3", "a4"],
    unknown: ["u1", "u2", "a4"],
    failed: ["f1", "f2", "u2"],
    stored: ["a1", "a2", "u1", "x9", "f1"],
  };

  it("computes lost, recovered, failed but stored, and unexpected", async () => {
    expect(checkWriteSets(sets)).toEqual({
      acknowledged: 4,
      unknown: 2, // a4 was acknowledged on retry: it counts as acknowledged only
      stored: 5,
      lost: 2,
      recovered: 1,
      failedStored: 1, // f1: refused, yet stored; u2 also failed once but its unknown attempt is stronger
      unexpected: 1, // x9: never sent
      lostSample: ["a3", "a4"],
      unexpectedSample: ["x9"],
    });
  });

  it("fails when more acknowledged writes are lost than allowed, naming the ids", async () => {
    const result = checkLostWrites({ kind: "lost-writes", id: "no-loss", traffic: "devices", atMost: 0 }, history({ writes: { devices: sets } }));
    expect(result).toMatchObject({ verdict: "fail", observed: 2, target: "<= 0 lost", unit: "writes" });
    expect(result.why).toBe("devices lost 2 acknowledged writes > 0 allowed (a3, a4); 4 acknowledged, 2 unknown (1 recovered), 1 failed but stored, 1 unexpected");
  });

  it("passes within the allowance", async () => {
    const result = checkLostWrites({ kind: "lost-writes", id: "few", traffic: "devices", atMost: 2 }, history({ writes: { devices: sets } }));
    expect(result).toMatchObject({ verdict: "pass", observed: 2 });
  });

  it("does not count unknown writes that are missing as lost", async () => {
    const result = checkLostWrites({ kind: "lost-writes", id: "x", traffic: "devices", atMost: 0 }, history({ writes: { devices: { acknowledged: ["a"], unknown: ["u"], failed: [], stored: ["a"] } } }));
    expect(result).toMatchObject({ verdict: "pass", observed: 0 });
  });

  it("is unknown when the store could not be read back", async () => {
    const result = checkLostWrites({ kind: "lost-writes", id: "x", traffic: "devices", atMost: 0 }, history({ writes: { devices: { ...sets, stored: null } } }));
    expect(result).toMatchObject({ verdict: "unknown", observed: null });
    expect(result.why).toContain("could not reach the store");
    expect(checkWriteSets({ ...sets, stored: null })).toMatchObject({ lost: null, recovered: null, failedStored: null, unexpected: null, lostSample: [] });
  });

  it("is unknown with no acknowledged writes, or no ledger", async () => {
    const none = checkLostWrites({ kind: "lost-writes", id: "x", traffic: "devices", atMost: 0 }, history({ writes: { devices: { acknowledged: [], unknown: ["u"], failed: [], stored: [] } } }));
    expect(none).toMatchObject({ verdict: "unknown", why: "no acknowledged writes to check for devices" });
    const noLedger = checkLostWrites({ kind: "lost-writes", id: "x", traffic: "devices", atMost: 0 }, history());
    expect(noLedger.verdict).toBe("unknown");
  });

  it("keeps the first 20 lost ids as a sample but counts them all", async () => {
    const acknowledged = Array.from({ length: 50 }, (_, i) => `w${i}`);
    const counts = checkWriteSets({ acknowledged, unknown: [], failed: [], stored: [] });
    expect(counts.lost).toBe(50);
    expect(counts.lostSample).toEqual(acknowledged.slice(0, 20));
  });

  it("sums per traffic class; one unreadable store makes the total unknown", async () => {
    const loss = summarizeDataLoss({ devices: sets, users: { acknowledged: ["b"], unknown: [], failed: [], stored: null } });
    expect(loss).toMatchObject({ acknowledged: 5, unknown: 2, lost: null, recovered: null });
    expect(loss.byTraffic["devices"]?.lost).toBe(2);
    expect(summarizeDataLoss({ devices: sets })).toMatchObject({ acknowledged: 4, lost: 2, recovered: 1, failedStored: 1, unexpected: 1 });
  });

  it("leaves out a class that wrote nothing and was not read back (readers), so the totals stay known", async () => {
    const readers = { acknowledged: [], unknown: [], failed: [], stored: null };
    const loss = summarizeDataLoss({ devices: sets, readers });
    expect(loss).toMatchObject({ acknowledged: 4, lost: 2, recovered: 1, failedStored: 1, unexpected: 1 });
    expect(Object.keys(loss.byTraffic)).toEqual(["devices"]);
    // One failed write is something to check; and with no class left to check, all stay (a killed run: not measured).
    expect(summarizeDataLoss({ devices: sets, readers: { ...readers, failed: ["r"] } }).lost).toBeNull();
    expect(summarizeDataLoss({ devices: readers, readers })).toMatchObject({ acknowledged: 0, lost: null, stored: null });
  });
});

describe("evaluateSlos", () => {
  it("judges every SLO of the scenario in order", async () => {
    const scenario = Scenario.parse(scenarioInput);
    const results = await evaluateSlos(scenario.slos, history({ writes: { devices: { acknowledged: ["a"], unknown: [], failed: [], stored: ["a"] } } }));
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ["available", "pass"],
      ["no-lost-writes", "pass"],
    ]);
  });

  it("turns a check that throws into verdict error with the message, never a pass", async () => {
    const scenario = Scenario.parse(scenarioInput);
    const h = history({ writes: { devices: { acknowledged: ["a"], unknown: [], failed: [], stored: ["a"] } } });
    Object.defineProperty(h, "timeline", {
      get() {
        throw new Error("timeline is corrupt");
      },
    });
    const [broken, other] = await evaluateSlos(scenario.slos, h);
    expect(broken).toMatchObject({ id: "available", verdict: "error", observed: null, why: "check crashed: timeline is corrupt" });
    expect(other?.verdict).toBe("pass");
    expect(runVerdict(await evaluateSlos(scenario.slos, h))).toBe("error");
  });

  it("merges fail > error > unknown > pass, and no SLOs is unknown", async () => {
    const r = (verdict: Verdict): SloResult => ({ id: verdict, kind: "availability", verdict, observed: null, target: "", unit: "%", window: null, why: "" });
    expect(runVerdict([r("pass"), r("unknown"), r("error"), r("fail")])).toBe("fail");
    expect(runVerdict([r("fail"), r("error")])).toBe("fail");
    expect(runVerdict([r("unknown"), r("error"), r("pass")])).toBe("error");
    expect(runVerdict([r("pass"), r("unknown")])).toBe("unknown");
    expect(runVerdict([r("pass"), r("pass")])).toBe("pass");
    expect(runVerdict([])).toBe("unknown");
  });

  it("maps verdicts to the havoc exit codes", async () => {
    expect([exitCodeFor("pass"), exitCodeFor("fail"), exitCodeFor("error"), exitCodeFor("unknown")]).toEqual([0, 1, 3, 4]);
  });
});
