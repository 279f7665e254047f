import { describe, expect, it } from "vitest";
import { lastPassingRun, markRegression, markRegressions } from "../../engine/suite/regression.ts";
import type { ScenarioRunRecord } from "../../engine/suite/suite-record.ts";
import { runRec, suiteRec } from "../support/suite-records.ts";

const withP99 = (runId: string, p99: number, overrides: Partial<ScenarioRunRecord> = {}) =>
  runRec({ runId, traffic: { devices: { availabilityPercent: 99.9, latencyMs: { p50: 10, p95: 50, p99 } } }, ...overrides });

describe("lastPassingRun", () => {
  it("is the newest run of the scenario the suite counted as passed, whatever night it was", () => {
    const nights = [
      suiteRec({ suiteId: "n1", runs: [withP99("a1", 100), withP99("b1", 100, { scenario: "other" })] }),
      suiteRec({ suiteId: "n2", runs: [withP99("a2", 100, { verdict: "fail", suiteVerdict: "fail" })] }),
      suiteRec({ suiteId: "n3", runs: [withP99("b3", 100, { scenario: "other" })] }),
    ];
    expect(lastPassingRun(nights, "demo")).toMatchObject({ suite: { suiteId: "n1" }, run: { runId: "a1" } });
    expect(lastPassingRun(nights, "other")).toMatchObject({ suite: { suiteId: "n3" }, run: { runId: "b3" } });
    expect(lastPassingRun(nights, "never")).toBeUndefined();
  });
});

describe("markRegression (havoc compare's rules)", () => {
  const past = { suite: { suiteId: "n1", startedAt: "2025-01-01T02:00:00.000Z" }, run: withP99("a1", 100) };

  it("flags p99 growing past the tolerance and a verdict going from pass to fail, with one line each", () => {
    const mark = markRegression(withP99("a2", 180, { verdict: "fail", suiteVerdict: "fail", slos: [{ ...runRec().slos[0]!, verdict: "fail", observed: 97 }, runRec().slos[1]!] }), past, "history");
    expect(mark).toMatchObject({ regressed: true, gating: false, against: { suiteId: "n1", runId: "a1", source: "history" } });
    expect(mark.findings).toEqual(["verdict pass -> fail", "availability: 99.90% -> 97.00% (verdict pass -> fail)", "devices p99: 100.0 ms -> 180.0 ms"]);
  });

  it("leaves noise within the tolerances alone, and honours wider tolerances", () => {
    expect(markRegression(withP99("a2", 115), past, "history")).toMatchObject({ regressed: false, findings: [] });
    expect(markRegression(withP99("a2", 180), past, "baseline", { latencyTolerancePercent: 100 })).toMatchObject({ regressed: false, gating: true });
  });

  it("compares a control only on what it does not expect to fail: its traffic and expected failures vary by design", () => {
    const controlRun = (runId: string, availability: number, lost: number, p99: number) =>
      runRec({
        runId,
        expect: "fail",
        expectFailing: ["availability"],
        verdict: "fail",
        suiteVerdict: lost === 0 ? "pass" : "fail",
        slos: [
          { id: "availability", kind: "availability", verdict: "fail", observed: availability, unit: "%", target: "", why: "" },
          { id: "no-lost-writes", kind: "lost-writes", verdict: lost === 0 ? "pass" : "fail", observed: lost, unit: "writes", target: "", why: "" },
        ],
        traffic: { devices: { availabilityPercent: availability, latencyMs: { p50: 10, p95: 50, p99 } } },
      });
    const before = { suite: { suiteId: "n1", startedAt: "2025-01-01T02:00:00.000Z" }, run: controlRun("c1", 66, 0, 900) };
    expect(markRegression(controlRun("c2", 61, 0, 2_000), before, "history")).toMatchObject({ regressed: false, findings: [] });
    expect(markRegression(controlRun("c3", 66, 2, 900), before, "history").findings).toEqual(["verdict pass -> fail", "no-lost-writes: 0 writes -> 2 writes (verdict pass -> fail)"]);
  });
});

describe("markRegressions", () => {
  it("marks each run against history, gates under --baseline, and skips runs with nothing to compare", () => {
    const history = [suiteRec({ runs: [withP99("a1", 100)] })];
    const runs = [
      withP99("a2", 300),
      withP99("x", 300, { scenario: "new-one" }),
      withP99("-", 300, { runId: "-" }),
      withP99("ab", 300, { status: "aborted" }),
      withP99("gate-failed", 300, { status: "inconclusive" }),
    ];
    const marked = markRegressions(runs, history, "history");
    expect(marked.map((r) => r.regression && [r.regression.regressed, r.regression.gating])).toEqual([[true, false], null, null, null, null]);
    const gated = markRegressions(runs.slice(0, 1), history, "baseline");
    expect(gated[0]!.regression).toMatchObject({ regressed: true, gating: true, against: { source: "baseline" } });
  });
});
