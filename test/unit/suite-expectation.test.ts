import { describe, expect, it } from "vitest";
import { Scenario } from "../../scenario/scenario.ts";
import { judgeExpectation } from "../../engine/suite/expectation.ts";
import { keyFigures, replayCommand, runRecord } from "../../engine/suite/run-record.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import { report, slo } from "../support/suite-records.ts";

const control = (slos: ReturnType<typeof slo>[], expectFailing: string[] = [], overrides = {}) =>
  report({ expect: "fail", expectFailing, slos, verdict: slos.some((s) => s.verdict === "fail") ? "fail" : "pass", ...overrides });

describe("judgeExpectation", () => {
  it("leaves an ordinary scenario's verdict as it is", () => {
    expect(judgeExpectation(report({ verdict: "fail", slos: [slo("a", "fail")] }))).toMatchObject({ verdict: "fail", loud: false, control: null });
    expect(judgeExpectation(report())).toMatchObject({ verdict: "pass", note: "", loud: false });
  });

  it("counts a control that fails its named SLOs as passed, the failures marked as expected", () => {
    const judged = judgeExpectation(control([slo("availability", "fail"), slo("outage", "fail"), slo("no-lost-writes", "pass")], ["availability", "outage"]));
    expect(judged).toMatchObject({ verdict: "pass", loud: false, control: "pass", note: "control failed as expected: availability, outage" });
    expect(judged.slos.map((s) => [s.id, s.raw, s.counted, s.expectedToFail])).toEqual([
      ["availability", "fail", "pass", true],
      ["outage", "fail", "pass", true],
      ["no-lost-writes", "pass", "pass", false],
    ]);
  });

  it("says CONTROL PASSED loudly when a control passes, or when the SLO it must fail passed", () => {
    const allPassed = judgeExpectation(control([slo("availability", "pass")]));
    expect(allPassed).toMatchObject({ verdict: "fail", loud: true, control: "fail" });
    expect(allPassed.note).toMatch(/^CONTROL PASSED: expected FAIL, every SLO passed/);
    // The wrong SLO failed: the named one passed, so the harness missed what the control is about.
    const missed = judgeExpectation(control([slo("availability", "pass"), slo("outage", "fail")], ["availability"]));
    expect(missed).toMatchObject({ verdict: "fail", loud: true, control: "fail" });
    expect(missed.note).toContain("expected availability to FAIL, passed");
    expect(missed.slos.find((s) => s.id === "availability")!.message).toMatch(/^CONTROL PASSED: expected to FAIL, it passed/);
  });

  it("still fails a control whose other SLOs fail (a control that also loses writes is not a pass)", () => {
    const judged = judgeExpectation(control([slo("availability", "fail"), slo("no-lost-writes", "fail", 3, "writes")], ["availability"]));
    expect(judged).toMatchObject({ verdict: "fail", loud: false, control: "pass" });
    expect(judged.note).toBe("control failed as expected (availability), but also no-lost-writes");
  });

  it("proves nothing with a control that did not complete or could not decide", () => {
    expect(judgeExpectation(control([slo("availability", "fail")], [], { status: "aborted" }))).toMatchObject({ verdict: "unknown", loud: false });
    expect(judgeExpectation(control([slo("availability", "fail")], [], { status: "error" }))).toMatchObject({ verdict: "error", loud: false });
    expect(judgeExpectation(control([slo("availability", "unknown")], ["availability"], { verdict: "unknown" }))).toMatchObject({ verdict: "unknown", loud: false, control: "unknown" });
    expect(judgeExpectation(control([slo("availability", "unknown")], [], { verdict: "unknown" }))).toMatchObject({ verdict: "unknown", loud: false, control: "unknown" });
    // The control caught its fault, but another SLO could not be decided: the run is undecided, the control is not.
    expect(judgeExpectation(control([slo("availability", "fail"), slo("recovery", "unknown")], ["availability"]))).toMatchObject({
      verdict: "unknown",
      control: "pass",
      note: "control failed as expected (availability); not decided: recovery unknown",
    });
  });
});

describe("run records", () => {
  const scenario = Scenario.parse({
    name: "demo",
    topology: { nodes: [{ name: "app", image: "app", ports: [80] }] },
    traffic: [{ name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app", port: 80 }, duration: "60s" }],
    secrets: ["device-key"],
    faults: [{ id: "k", kind: "kill", target: { names: ["app"] }, at: "10s", for: "10s" }],
    slos: [
      { kind: "recovery-time", id: "failover", traffic: "devices", fault: "k", from: "inject", atMost: "10s" },
      { kind: "recovery-time", id: "recovery", traffic: "devices", fault: "k", from: "heal", atMost: "10s" },
      { kind: "longest-outage", id: "outage", traffic: "devices", atMost: "5s" },
    ],
  });

  it("take failover and recovery from the scenario's own recovery-time SLOs, p99 and availability from the worst class", () => {
    const r = report({
      slos: [slo("failover", "pass", 2_300, "ms", "recovery-time"), slo("recovery", "fail", 12_000, "ms", "recovery-time"), slo("outage", "pass", 1_000, "ms", "longest-outage")],
      traffic: {
        a: { requests: 1, ok: 1, fail: 0, unknown: 0, availabilityPercent: 99.5, latencyMs: { p50: 1, p95: 2, p99: 300 }, causes: {}, droppedIterations: 0 },
        b: { requests: 1, ok: 1, fail: 0, unknown: 0, availabilityPercent: 97.25, latencyMs: { p50: 1, p95: 2, p99: 120 }, causes: {}, droppedIterations: 0 },
      },
      dataLoss: { ...report().dataLoss, lost: 4 },
    });
    expect(keyFigures(r, scenario)).toEqual({ failoverMs: 2_300, recoveryMs: 12_000, longestOutageMs: 1_000, lostWrites: 4, p99Ms: 300, availabilityPercent: 97.25 });
    expect(keyFigures(report({ slos: [], traffic: {}, dataLoss: { ...report().dataLoss, lost: null } }), scenario)).toEqual({
      failoverMs: null,
      recoveryMs: null,
      longestOutageMs: null,
      lostWrites: null,
      p99Ms: null,
      availabilityPercent: null,
    });
  });

  it("print the exact command that replays a run, quoting odd paths", () => {
    expect(replayCommand("scenarios/trackr/app-node-crash.ts", 1234)).toBe("npx havoc run scenarios/trackr/app-node-crash.ts --seed 1234");
    expect(replayCommand("my scenarios/it's.ts", 7)).toBe("npx havoc run 'my scenarios/it'\\''s.ts' --seed 7");
    const rec = runRecord({ file: "scenarios/demo.ts", scenario, repeat: 2, runDir: "/r/suites/s1/runs/run-9", report: report({ runId: "run-9", seed: 99 }), exitCode: 0 }, "/r/suites/s1");
    expect(rec).toMatchObject({ runDir: "runs/run-9", repeat: 2, seed: 99, replay: "npx havoc run scenarios/demo.ts --seed 99", suiteVerdict: "pass" });
  });
});

describe("scenario schema: tags, expect, expectFailing", () => {
  const base = {
    name: "demo",
    topology: { nodes: [{ name: "app", image: "app", ports: [80] }] },
    traffic: [{ name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app", port: 80 }, duration: "10s" }],
    secrets: ["device-key"],
    slos: [{ kind: "availability", id: "availability", traffic: "devices", atLeastPercent: 99 }],
  };

  it("defaults to no tags and expect pass", () => {
    expect(parseScenario(base, "demo.ts")).toMatchObject({ tags: [], expect: "pass", expectFailing: [] });
  });

  it("refuses bad tags and expectations, naming the file and the path", () => {
    const problems = (extra: object) => {
      try {
        parseScenario({ ...base, ...extra }, "demo.ts");
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problems({ tags: ["Gate"] })).toContain("at tags[0]: expected a lower-case tag");
    expect(problems({ tags: ["gate", "gate"] })).toContain(`at tags[1]: duplicate tag "gate"`);
    expect(problems({ expect: "maybe" })).toMatch(/demo.ts: invalid scenario\n {2}at expect: /);
    expect(problems({ expectFailing: ["availability"] })).toContain('at expectFailing: expectFailing names the SLOs a control must fail: it needs expect: "fail"');
    expect(problems({ expect: "fail", expectFailing: ["nope"] })).toContain('at expectFailing[0]: unknown SLO id "nope"; slos: availability');
    expect(problems({ expect: "fail", expectFailing: ["availability"], tags: ["control"] })).toBe("");
    // A key that is not a plain word is quoted in the path, so the path ends unambiguously at ": ".
    expect(problems({ topology: { nodes: [{ name: "app", image: "app", ports: [80], env: { "x y": 1 } }] } })).toContain('at topology.nodes[0].env["x y"]: ');
  });
});
