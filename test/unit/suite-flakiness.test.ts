import { describe, expect, it } from "vitest";
import { aggregateFlakiness } from "../../engine/suite/flakiness.ts";
import { runRec } from "../support/suite-records.ts";

const rec = (repeat: number, seed: number, availability: "pass" | "fail" | "unknown", lost: "pass" | "fail" = "pass", scenario = "demo") =>
  runRec({
    scenario,
    repeat,
    seed,
    runId: `${scenario}-${repeat}`,
    verdict: availability === "fail" || lost === "fail" ? "fail" : availability === "unknown" ? "unknown" : "pass",
    suiteVerdict: availability === "fail" || lost === "fail" ? "fail" : availability === "unknown" ? "unknown" : "pass",
    slos: [
      { id: "availability", kind: "availability", verdict: availability, observed: 99, unit: "%", target: "", why: "" },
      { id: "no-lost-writes", kind: "lost-writes", verdict: lost, observed: 0, unit: "writes", target: "", why: "" },
    ],
  });

describe("aggregateFlakiness", () => {
  it("gives each SLO's pass rate over the repeats and flags one whose verdict changed", () => {
    const [demo] = aggregateFlakiness([rec(1, 11, "pass"), rec(2, 12, "fail"), rec(3, 13, "pass"), rec(4, 14, "unknown")]);
    expect(demo).toMatchObject({ scenario: "demo", runs: 4, suitePasses: 2, seeds: [11, 12, 13, 14], flaky: true });
    expect(demo!.slos[0]).toEqual({
      id: "availability",
      verdicts: ["pass", "fail", "pass", "unknown"],
      pass: 2,
      fail: 1,
      undecided: 1,
      passRatePercent: 66.7,
      flaky: true,
      flakyAtSameSeed: false,
      expectedToFail: false,
    });
    expect(demo!.slos[1]).toMatchObject({ id: "no-lost-writes", pass: 4, fail: 0, passRatePercent: 100, flaky: false });
  });

  it("says when runs with the same seed (the same fault plan) disagreed", () => {
    const [demo] = aggregateFlakiness([rec(1, 5, "pass"), rec(2, 5, "fail"), rec(3, 6, "fail")]);
    expect(demo!.slos[0]).toMatchObject({ flaky: true, flakyAtSameSeed: true, passRatePercent: 33.3 });
    const [steady] = aggregateFlakiness([rec(1, 5, "fail"), rec(2, 5, "fail")]);
    expect(steady!.slos[0]).toMatchObject({ flaky: false, flakyAtSameSeed: false, passRatePercent: 0 });
    expect(steady!.flaky).toBe(false);
  });

  it("keeps scenarios apart, marks a control's expected failures, and has no rate without a decided run", () => {
    const control = runRec({
      scenario: "ctl",
      expect: "fail",
      expectFailing: ["availability"],
      verdict: "fail",
      suiteVerdict: "pass",
      slos: [{ id: "availability", kind: "availability", verdict: "fail", observed: 60, unit: "%", target: "", why: "" }],
    });
    const result = aggregateFlakiness([rec(1, 1, "unknown"), control, rec(2, 2, "unknown")]);
    expect(result.map((s) => [s.scenario, s.runs])).toEqual([["demo", 2], ["ctl", 1]]);
    expect(result[0]!.slos[0]).toMatchObject({ passRatePercent: null, undecided: 2, flaky: false });
    expect(result[1]!.slos[0]).toMatchObject({ expectedToFail: true, passRatePercent: 0 });
  });
});
