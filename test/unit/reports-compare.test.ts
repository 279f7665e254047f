import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SloResult } from "../../core/verdict.ts";
import { compareReports } from "../../judge/compare.ts";
import { RunReport, type TrafficSummary } from "../../judge/report-schema.ts";
import { compareCommand, renderComparison } from "../../engine/commands/compare.ts";

function slo(id: string, verdict: SloResult["verdict"], observed: number | null, unit = "%"): SloResult {
  return { id, kind: unit === "%" ? "availability" : "lost-writes", verdict, observed, target: unit === "%" ? ">= 99%" : "<= 0 lost", unit, window: null, why: "" };
}

function traffic(availabilityPercent: number | null, p50: number, p95: number, p99: number): TrafficSummary {
  return { requests: 1000, ok: 990, fail: 10, unknown: 0, availabilityPercent, latencyMs: { p50, p95, p99 }, causes: {}, droppedIterations: 0 };
}

function report(runId: string, overrides: Partial<RunReport> = {}): RunReport {
  return RunReport.parse({
    schemaVersion: 1,
    runId,
    scenario: "demo",
    description: "",
    seed: 1,
    startedAt: "2025-01-01T10:00:00.000Z",
    finishedAt: "2025-01-01T10:01:00.000Z",
    durationMs: 60_000,
    trafficEndMs: 30_000,
    verdict: "pass",
    exitCode: 0,
    status: "completed",
    reason: null,
    slos: [slo("devices-available", "pass", 99.5), slo("no-lost-writes", "pass", 0, "writes")],
    faults: [],
    dataLoss: { acknowledged: 0, unknown: 0, stored: 0, lost: 0, recovered: 0, failedStored: 0, unexpected: 0, lostSample: [], unexpectedSample: [], byTraffic: {} },
    traffic: { devices: traffic(99.9, 10, 50, 100) },
    plan: { seed: 1, faults: [] },
    containerEvents: 0,
    artifacts: [],
    ...overrides,
  });
}

describe("compareReports", () => {
  it("finds no regression between identical runs", () => {
    const c = compareReports(report("a"), report("b"));
    expect(c.regressed).toBe(false);
    expect(c.slos.map((s) => [s.id, s.delta, s.regression])).toEqual([["devices-available", 0, false], ["no-lost-writes", 0, false]]);
    expect(c.tolerances).toEqual({ availabilityTolerancePoints: 0.5, latencyTolerancePercent: 20 });
  });

  it("flags a verdict going from pass to fail or error, but not to unknown", () => {
    const failing = report("b", { verdict: "fail", slos: [slo("devices-available", "fail", 99.4), slo("no-lost-writes", "error", null, "writes")] });
    const c = compareReports(report("a"), failing);
    expect(c.verdictRegression).toBe(true);
    expect(c.slos[0]).toMatchObject({ baseline: 99.5, candidate: 99.4, delta: -0.1, baselineVerdict: "pass", candidateVerdict: "fail", regression: true, note: "verdict pass -> fail" });
    expect(c.slos[1]).toMatchObject({ candidate: null, delta: null, regression: true, note: "verdict pass -> error" });
    const undecided = compareReports(report("a"), report("b", { verdict: "unknown", slos: [slo("devices-available", "unknown", null), slo("no-lost-writes", "pass", 0, "writes")] }));
    expect(undecided.regressed).toBe(false);
  });

  it("applies the availability tolerance in points, to SLOs and traffic classes alike", () => {
    const within = report("b", { slos: [slo("devices-available", "pass", 99.0), slo("no-lost-writes", "pass", 0, "writes")], traffic: { devices: traffic(99.4, 10, 50, 100) } });
    expect(compareReports(report("a"), within).regressed).toBe(false);
    const beyond = report("b", { slos: [slo("devices-available", "pass", 98.99), slo("no-lost-writes", "pass", 0, "writes")], traffic: { devices: traffic(99.3, 10, 50, 100) } });
    const c = compareReports(report("a"), beyond);
    expect(c.slos[0]).toMatchObject({ delta: -0.51, regression: true });
    expect(c.traffic[0]?.availability).toEqual({ baseline: 99.9, candidate: 99.3, delta: -0.6, regression: true });
    expect(compareReports(report("a"), beyond, { availabilityTolerancePoints: 1 }).regressed).toBe(false);
  });

  it("counts one more lost write as a regression, whatever the tolerances", () => {
    const c = compareReports(report("a"), report("b", { slos: [slo("devices-available", "pass", 99.5), slo("no-lost-writes", "pass", 1, "writes")] }));
    expect(c.slos[1]).toMatchObject({ delta: 1, regression: true, note: "rose by 1 writes" });
  });

  it("treats a failover time or latency SLO in ms as worse when it grows past the latency tolerance", () => {
    const withFailover = (ms: number) => report("x", { slos: [slo("devices-available", "pass", 99.5), { ...slo("failover", "pass", ms, "ms"), kind: "recovery-time" }] });
    expect(compareReports(withFailover(5_000), withFailover(5_900)).slos[1]).toMatchObject({ delta: 900, regression: false });
    expect(compareReports(withFailover(5_000), withFailover(6_100)).slos[1]).toMatchObject({ delta: 1_100, regression: true, note: "rose by more than 20%" });
    // From 0 ms (no dip at all), one timeline second more is the smallest change that means anything.
    expect(compareReports(withFailover(0), withFailover(999)).slos[1]?.regression).toBe(false);
    expect(compareReports(withFailover(0), withFailover(1_000)).slos[1]?.regression).toBe(true);
  });

  it("applies the latency tolerance as a percent of each baseline percentile", () => {
    const c = compareReports(report("a"), report("b", { traffic: { devices: traffic(99.9, 12, 61, 119) } }));
    expect(c.traffic[0]).toMatchObject({ p50: { delta: 2, regression: false }, p95: { delta: 11, regression: true }, p99: { delta: 19, regression: false }, regression: true });
    expect(compareReports(report("a"), report("b", { traffic: { devices: traffic(99.9, 12, 61, 119) } }), { latencyTolerancePercent: 25 }).regressed).toBe(false);
    // Faster is never a regression.
    expect(compareReports(report("a"), report("b", { traffic: { devices: traffic(100, 1, 2, 3) } })).regressed).toBe(false);
  });

  it("lists SLOs and classes present in only one run without calling them regressions", () => {
    const c = compareReports(report("a"), report("b", { slos: [slo("devices-available", "pass", 99.5), slo("new-slo", "fail", 1)], traffic: { users: traffic(100, 1, 2, 3) } }));
    expect(c.slos.map((s) => [s.id, s.note, s.regression])).toEqual([["devices-available", "", false], ["no-lost-writes", "missing from candidate", false], ["new-slo", "new in candidate", false]]);
    expect(c.traffic.map((t) => [t.traffic, t.availability.delta, t.regression])).toEqual([["devices", null, false], ["users", null, false]]);
    expect(c.regressed).toBe(false);
  });
});

describe("renderComparison", () => {
  it("prints fixed-width tables and the result last", () => {
    const text = renderComparison(compareReports(report("a"), report("b", { verdict: "fail", slos: [slo("devices-available", "fail", 97), slo("no-lost-writes", "pass", 0, "writes")], traffic: { devices: traffic(97, 10, 80, 100) } })));
    const lines = text.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("result: REGRESSED (exit 1)");
    const sloHeader = lines.findIndex((l) => l.startsWith("SLO "));
    expect(lines[sloHeader + 2]).toMatch(/^devices-available\s+pass -> fail\s+99\.50%\s+97\.00%\s+-2\.5 pts\s+REGRESSION \(verdict pass -> fail\)$/);
    // Every row of a table starts its columns at the same offsets.
    const col = lines[sloHeader]!.indexOf("baseline");
    expect(lines[sloHeader + 2]!.slice(col)).toMatch(/^99\.50%/);
    expect(lines[sloHeader + 3]!.slice(col)).toMatch(/^0 writes/);
    expect(text).toMatch(/\n\s+p95\s+50 ms\s+80 ms\s+\+30 ms\s+REGRESSION\n/);
    expect(lines.every((l) => l === l.trimEnd())).toBe(true);
  });
});

describe("compareCommand", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-compare-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function runDir(name: string, r: RunReport): Promise<string> {
    const path = join(dir, name);
    await mkdir(path);
    await writeFile(join(path, "report.json"), JSON.stringify(r));
    return path;
  }

  async function capture(work: () => Promise<number>): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const origOut = process.stdout.write.bind(process.stdout);
    const origErr = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => (out.push(s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => (err.push(s), true)) as typeof process.stderr.write;
    try {
      return { code: await work(), out: out.join(""), err: err.join("") };
    } finally {
      process.stdout.write = origOut;
      process.stderr.write = origErr;
    }
  }

  it("exits 0 without regression, 1 with one, 2 on bad input", async () => {
    const a = await runDir("a", report("a"));
    const b = await runDir("b", report("b", { traffic: { devices: traffic(99.9, 10, 50, 130) } }));
    expect((await capture(() => compareCommand(a, a))).code).toBe(0);
    const regressed = await capture(() => compareCommand(a, b));
    expect(regressed.code).toBe(1);
    expect(regressed.out).toContain("result: REGRESSED (exit 1)");
    expect((await capture(() => compareCommand(a, b, { latencyTolerancePercent: "30" }))).code).toBe(0);

    const missing = await capture(() => compareCommand(a, join(dir, "nope")));
    expect(missing).toMatchObject({ code: 2, out: "" });
    expect(missing.err).toContain(`candidate run ${join(dir, "nope")} does not exist`);
    const empty = await capture(() => compareCommand(dir, a));
    expect(empty.code).toBe(2);
    expect(empty.err).toContain(`${dir} has neither report.json nor events.ndjson`);
    const badFlag = await capture(() => compareCommand(a, b, { tolerancePoints: "-1" }));
    expect(badFlag.code).toBe(2);
    expect(badFlag.err).toContain(`--tolerance-points must be a number >= 0, got "-1"`);
  });
});
