import { describe, expect, it } from "vitest";
import { RunClock } from "../../core/clock.ts";
import type { History } from "../../core/history.ts";
import { Scenario } from "../../scenario/scenario.ts";
import { ControlMonitor, type ControlLoss } from "../../engine/runner/control-monitor.ts";
import { buildReport } from "../../judge/build-report.ts";
import { evaluateSlos } from "../../judge/evaluate.ts";
import { renderSummaryMarkdown } from "../../reports/reporters/summary-markdown.ts";

// Hand-made histories: a run whose SLOs would pass, then the same run with the harness losing control.

const scenario = Scenario.parse({
  name: "demo",
  secrets: ["device-key"],
  topology: { nodes: [{ name: "app-1", image: "app", ports: [8080] }] },
  traffic: [{ name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app-1", port: 8080 }, duration: "60s" }],
  faults: [{ kind: "kill", id: "kill-app", target: { names: ["app-1"] }, at: "20s", for: "10s" }],
  slos: [{ kind: "availability", id: "up", traffic: "devices", atLeastPercent: 50 }],
});

function history(overrides: Partial<History> = {}): History {
  return {
    runId: "r",
    scenario: "demo",
    seed: 1,
    trafficStartEpochMs: 0,
    trafficEndMs: 60_000,
    timeline: Array.from({ length: 60 }, (_, second) => ({ traffic: "devices", second, requests: 10, ok: 10, fail: 0, unknown: 0, causes: {}, latency: { "10": 10 }, freshnessChecks: 0, staleReads: 0 })),
    faults: [{ id: "kill-app", kind: "kill", targets: ["app-1"], injectedAtMs: 20_000, healedAtMs: 30_000, mechanism: "docker kill", notes: [] }],
    containerEvents: [],
    writes: {},
    droppedIterations: {},
    droppedBySecond: [],
    ...overrides,
  };
}

const report = async (h: History, status: "completed" | "error") =>
  buildReport({ scenario, history: h, slos: await evaluateSlos(scenario.slos, h), status, reason: null, startedAt: new Date(0), finishedAt: new Date(60_000), plan: { seed: 1, faults: [] }, runId: "r" });

describe("void experiment", () => {
  it("turns every SLO into an error when the harness lost control, saying from when, never a pass or a fail", async () => {
    expect((await evaluateSlos(scenario.slos, history()))[0]!.verdict).toBe("pass");
    const lost = history({ controlLost: { fromMs: 30_200, reason: "the container engine stopped answering" } });
    const [slo] = await evaluateSlos(scenario.slos, lost);
    expect(slo).toMatchObject({ verdict: "error", void: { fromMs: 30_200 } });
    expect(slo!.why).toMatch(/^VOID \(the container engine stopped answering; the record is not trustworthy from 30\.2 s\); would have been PASS: /);
    const r = await report(lost, "error");
    expect(r).toMatchObject({ verdict: "error", exitCode: 3, void: { fromMs: 30_200 } });
    expect(renderSummaryMarkdown(r)).toContain("**VOID experiment:** the harness lost control from 30.2 s: the container engine stopped answering");
  });

  it("keeps a node that never became ready after its heal the system's failure: a FAIL row of its own, exit 1", async () => {
    const h = history();
    h.faults[0]!.systemFailure = 'app-1 never became ready again after the harness started it (heal of kill-app): node "app-1" not ready after 60000 ms';
    const results = await evaluateSlos(scenario.slos, h);
    expect(results.map((r) => [r.id, r.verdict])).toEqual([
      ["up", "pass"],
      ["kill-app-node-ready", "fail"],
    ]);
    expect(await report(h, "completed")).toMatchObject({ verdict: "fail", exitCode: 1, void: null });
  });
});

describe("ControlMonitor", () => {
  function monitorWith(answers: boolean[]) {
    let now = 1_000_000;
    const clock = new RunClock(() => now);
    clock.start(1_000_000);
    const losses: ControlLoss[] = [];
    const monitor = new ControlMonitor(clock, (l) => losses.push(l), async () => answers.shift() ?? false);
    return { monitor, losses, advance: (ms: number) => (now += ms) };
  }

  it("calls the engine lost after two failed pings in a row, from the first failure", async () => {
    const { monitor, losses, advance } = monitorWith([true, false, true, false, false]);
    for (let i = 0; i < 5; i++) {
      advance(1_000);
      await monitor.checkOnce();
    }
    // Pings at 1, 2, 3, 4, 5 s: one failure at 2 s is forgiven (the next answered); 4 and 5 s fail in a row.
    expect(losses).toEqual([{ fromMs: 4_000, reason: "the container engine stopped answering (2 pings of 2000 ms failed)" }]);
  });

  it("keeps the earliest loss, reported once", async () => {
    const { monitor, losses } = monitorWith([]);
    monitor.lost("k6 died", 50_000);
    monitor.lost("a later fault error", 55_000);
    expect(monitor.loss).toEqual({ fromMs: 50_000, reason: "k6 died" });
    monitor.lost("the engine went first", 40_000);
    expect(monitor.loss).toEqual({ fromMs: 40_000, reason: "the engine went first" });
    expect(losses).toHaveLength(1);
  });
});
