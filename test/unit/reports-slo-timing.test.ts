import { describe, expect, it } from "vitest";
import type { History, TimelineBucket } from "../../core/history.ts";
import { recordLatency, type LatencyHistogram } from "../../core/latency-histogram.ts";
import { Scenario, type ScenarioInput } from "../../scenario/scenario.ts";
import { SloSpec, type SloSpecInput } from "../../judge/slo-kinds.ts";
import { evaluateSlo } from "../../judge/evaluate.ts";
import { longestOutage } from "../../judge/slos/longest-outage.ts";
import { secondsInWindow } from "../../judge/slos/series.ts";

// Hand-made histories (no Docker): 60 s of "devices" traffic at 100 requests a second,
// app-2 killed at 20.3 s and started again at 40.0 s.

interface BucketSpec {
  ok: number;
  fail?: number;
  latencyMs?: number;
  checks?: number;
  stale?: number;
  traffic?: string;
}

function bucket(second: number, spec: BucketSpec): TimelineBucket {
  const fail = spec.fail ?? 0;
  const latency: LatencyHistogram = {};
  for (let i = 0; i < spec.ok + fail; i++) recordLatency(latency, spec.latencyMs ?? 10);
  return {
    traffic: spec.traffic ?? "devices",
    second,
    requests: spec.ok + fail,
    ok: spec.ok,
    fail,
    unknown: 0,
    causes: {},
    latency,
    freshnessChecks: spec.checks ?? 0,
    staleReads: spec.stale ?? 0,
  };
}

/** One bucket per second of [0, 60) from `shape(second)`; a shape returning undefined leaves the second empty. */
function timeline(shape: (second: number) => BucketSpec | undefined): TimelineBucket[] {
  return Array.from({ length: 60 }, (_, s) => shape(s))
    .map((spec, s) => (spec ? bucket(s, spec) : undefined))
    .filter((b): b is TimelineBucket => b !== undefined);
}

function history(shape: (second: number) => BucketSpec | undefined, overrides: Partial<History> = {}): History {
  return {
    runId: "run-1",
    scenario: "demo",
    seed: 7,
    trafficStartEpochMs: 1_700_000_000_000,
    trafficEndMs: 60_000,
    timeline: timeline(shape),
    faults: [{ id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 20_300, healedAtMs: 40_000, mechanism: "docker kill SIGKILL", notes: [] }],
    containerEvents: [],
    writes: {},
    droppedIterations: { devices: 0 },
    droppedBySecond: [],
    ...overrides,
  };
}

const judge = (slo: SloSpecInput, h: History) => evaluateSlo(SloSpec.parse(slo), h);
const healthy = (): BucketSpec => ({ ok: 100 });
/** Down (0 % ok) from second 21 to 25 included, 60 % ok at 26, back at 27. */
const dipAfterKill = (s: number): BucketSpec => (s >= 21 && s <= 25 ? { ok: 0, fail: 100 } : s === 26 ? { ok: 60, fail: 40 } : { ok: 100 });

describe("secondsInWindow", () => {
  it("sums the duplicate buckets of one second (late ops, split k6 processes)", async () => {
    const buckets = [bucket(3, { ok: 10 }), bucket(3, { ok: 5, fail: 5, checks: 2, stale: 1 }), bucket(4, { ok: 1 }), bucket(3, { ok: 7, traffic: "users" })];
    const [three, four] = secondsInWindow(buckets, "devices", { fromMs: 3_000, toMs: 5_000 });
    expect(three).toMatchObject({ second: 3, requests: 20, ok: 15, freshnessChecks: 2, staleReads: 1 });
    expect(Object.values(three!.latency).reduce((a, b) => a + b, 0)).toBe(20);
    expect(four).toMatchObject({ second: 4, requests: 1 });
  });
});

describe("longest outage", () => {
  it("measures the longest stretch from a down second to the next up second", async () => {
    const result = await judge({ kind: "longest-outage", id: "outage", traffic: "devices", atMost: "10s" }, history(dipAfterKill));
    // 21..25 are down (0 %); 26 is 60 %, above the default 50 % line, so it ends the outage: 21.0 s to 26.0 s.
    expect(result).toMatchObject({ verdict: "pass", observed: 5_000, unit: "ms" });
    expect(result.why).toBe("devices longest outage 5.0 s (21.0 s to 26.0 s) <= 10.0 s over the run (0.0 s to 60.0 s) (a second is down below 50% ok; 1 s resolution: no op trace)");
  });

  it("fails past the limit, and a stricter down line makes the outage longer", async () => {
    const result = await judge({ kind: "longest-outage", id: "outage", traffic: "devices", atMost: "5s", downBelowPercent: 90 }, history(dipAfterKill));
    expect(result).toMatchObject({ verdict: "fail", observed: 6_000 });
    expect(result.why).toContain("6.0 s (21.0 s to 27.0 s) > 5.0 s");
  });

  it("does not let seconds without traffic end an outage (a stalled client hides nothing)", async () => {
    const h = history((s) => (s === 21 ? { ok: 0, fail: 5 } : s > 21 && s < 30 ? undefined : { ok: 100 }));
    expect(await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "5s" }, h)).toMatchObject({ verdict: "fail", observed: 9_000 });
  });

  it("runs an outage that never ends to the end of the window", async () => {
    const h = history((s) => (s >= 50 ? { ok: 0, fail: 100 } : { ok: 100 }));
    const result = await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "5s" }, h);
    expect(result).toMatchObject({ verdict: "fail", observed: 10_000 });
    expect(result.why).toContain("(50.0 s to the end of the window, never back)");
    expect(longestOutage([{ second: 3, ok: 0, requests: 1 }], 50, 3_200)).toEqual({ fromMs: 3_000, toMs: 4_000, recovered: false });
  });

  it("is 0 without any down second, and judged only inside its window", async () => {
    expect(await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "0s" }, history(healthy))).toMatchObject({ verdict: "pass", observed: 0 });
    const before = await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "0s", window: { kind: "fault", fault: "kill-app-2", phase: "before" } }, history(dipAfterKill));
    expect(before).toMatchObject({ verdict: "pass", observed: 0 });
  });

  it("is unknown with no traffic in the window, and a would-be pass is unknown when the load generator dropped iterations", async () => {
    const empty = await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "5s" }, history(() => undefined));
    expect(empty).toMatchObject({ verdict: "unknown", observed: null });
    const dropped = await judge({ kind: "longest-outage", id: "o", traffic: "devices", atMost: "10s" }, history(dipAfterKill, { droppedIterations: { devices: 12 } }));
    expect(dropped).toMatchObject({ verdict: "unknown", observed: 5_000 });
    expect(dropped.why).toMatch(/^load generator dropped 12 iterations of devices; cannot judge: /);
  });
});

describe("recovery time (failover)", () => {
  const failover = { kind: "recovery-time", id: "failover", traffic: "devices", fault: "kill-app-2", atMost: "10s", stableFor: "5s" } as const;

  it("measures from injection to the first stable stretch at target", async () => {
    const result = await judge(failover, history(dipAfterKill));
    // Injected at 20.3 s; 20 is fine but 21..26 are not; 27..31 are five good seconds: 27.0 − 20.3 = 6.7 s.
    expect(result).toMatchObject({ verdict: "pass", observed: 6_700, unit: "ms" });
    expect(result.window).toMatchObject({ fromMs: 20_300, toMs: 60_000 });
    expect(result.why).toBe("devices failover 6.7 s after injection of kill app-2 <= 10.0 s (devices at >= 99% for 5.0 s from 27.0 s; 1 s resolution: no op trace)");
  });

  it("is 0 when service never dipped, and fails when it took too long", async () => {
    expect(await judge(failover, history(healthy))).toMatchObject({ verdict: "pass", observed: 0 });
    expect(await judge({ ...failover, atMost: "5s" }, history(dipAfterKill))).toMatchObject({ verdict: "fail", observed: 6_700 });
  });

  it("needs the whole stable stretch: a relapse restarts it", async () => {
    const relapse = (s: number): BucketSpec => (s === 21 || s === 24 ? { ok: 0, fail: 100 } : { ok: 100 });
    // 22, 23 good, 24 bad: stable only from 25 (25..29). 25.0 − 20.3 = 4.7 s.
    expect(await judge(failover, history(relapse))).toMatchObject({ verdict: "pass", observed: 4_700 });
  });

  it("measures recovery from the heal", async () => {
    const afterHeal = (s: number): BucketSpec => (s >= 40 && s < 43 ? { ok: 50, fail: 50 } : { ok: 100 });
    const result = await judge({ ...failover, id: "recovery", from: "heal" }, history(afterHeal));
    expect(result).toMatchObject({ verdict: "pass", observed: 3_000 });
    expect(result.why).toContain("recovery 3.0 s after heal of kill app-2");
  });

  it("fails with a lower bound when it never recovered in a long enough run, unknown when the run was too short to tell", async () => {
    const never = await judge(failover, history((s) => (s > 20 ? { ok: 0, fail: 100 } : { ok: 100 })));
    expect(never).toMatchObject({ verdict: "fail", observed: 39_700 });
    expect(never.why).toContain("never reached devices at >= 99% for 5.0 s in the 39.7 s after injection of kill app-2");
    const short = history((s) => (s > 57 ? { ok: 0, fail: 100 } : { ok: 100 }), {
      faults: [{ id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 57_500, healedAtMs: null, mechanism: "docker kill", notes: [] }],
    });
    expect(await judge(failover, short)).toMatchObject({ verdict: "unknown", observed: null });
  });

  it("is unknown when the fault never ran or never healed", async () => {
    expect(await judge(failover, history(healthy, { faults: [] }))).toMatchObject({ verdict: "unknown", why: 'fault "kill-app-2" never ran, so there is nothing to recover from' });
    const unhealed = history(healthy, { faults: [{ id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 20_300, healedAtMs: null, mechanism: "m", notes: [] }] });
    expect(await judge({ ...failover, from: "heal" }, unhealed)).toMatchObject({ verdict: "unknown", why: "kill app-2 never healed, so recovery from its heal cannot be measured" });
  });
});

describe("latency percentile", () => {
  const slow = (s: number): BucketSpec => (s >= 21 && s < 31 ? { ok: 100, latencyMs: 400 } : { ok: 100, latencyMs: 10 });

  it("merges the per-second histograms of the window (5 % relative error)", async () => {
    const during = await judge({ kind: "latency", id: "p95", traffic: "devices", percentile: 95, atMostMs: 500, window: { kind: "fault", fault: "kill-app-2", phase: "during" } }, history(slow));
    // During 21..39: 10 of 19 seconds at 400 ms, so p95 is ~400 ms.
    expect(during.verdict).toBe("pass");
    expect(Math.abs(during.observed! - 400) / 400).toBeLessThan(0.05);
    const run = await judge({ kind: "latency", id: "p50", traffic: "devices", percentile: 50, atMostMs: 20 }, history(slow));
    expect(run.verdict).toBe("pass");
    expect(Math.abs(run.observed! - 10) / 10).toBeLessThan(0.05);
  });

  it("fails over the limit, naming the percentile and the window", async () => {
    const result = await judge({ kind: "latency", id: "p99", traffic: "devices", percentile: 99, atMostMs: 100 }, history(slow));
    expect(result).toMatchObject({ verdict: "fail", target: "p99 <= 100.0 ms", unit: "ms" });
    expect(result.why).toMatch(/^devices p99 latency \d{3}\.\d ms > 100\.0 ms over the run \(0\.0 s to 60\.0 s\) over 6,000 requests \(from per-second histograms, <= 5 % error\)$/);
  });

  it("is unknown without requests, or when iterations were dropped and it would pass", async () => {
    expect(await judge({ kind: "latency", id: "p", traffic: "devices", percentile: 50, atMostMs: 100 }, history(() => undefined))).toMatchObject({ verdict: "unknown" });
    const dropped = history(healthy, { droppedIterations: { devices: 1 } });
    expect(await judge({ kind: "latency", id: "p", traffic: "devices", percentile: 50, atMostMs: 100 }, dropped)).toMatchObject({ verdict: "unknown" });
  });
});

describe("stale reads", () => {
  it("counts reads that missed their own write, in the window", async () => {
    const h = history((s) => ({ ok: 100, checks: 2, stale: s >= 21 && s < 24 ? 1 : 0 }));
    const run = await judge({ kind: "stale-reads", id: "fresh", traffic: "devices" }, h);
    expect(run).toMatchObject({ verdict: "fail", observed: 3, unit: "reads", target: "<= 0 stale" });
    expect(run.why).toBe("devices 3 stale of 120 read-your-writes checks > 0 allowed over the run (0.0 s to 60.0 s)");
    const after = await judge({ kind: "stale-reads", id: "fresh", traffic: "devices", window: { kind: "fault", fault: "kill-app-2", phase: "after" } }, h);
    expect(after).toMatchObject({ verdict: "pass", observed: 0 });
  });

  it("is unknown when no read checked its own write", async () => {
    expect(await judge({ kind: "stale-reads", id: "fresh", traffic: "devices" }, history(healthy))).toMatchObject({ verdict: "unknown", observed: null });
  });
});

describe("dropped iterations", () => {
  it("passes when the load generator kept up and is unknown, never fail, when it did not", async () => {
    expect(await judge({ kind: "dropped-iterations", id: "kept-up", traffic: "devices" }, history(healthy))).toMatchObject({ verdict: "pass", observed: 0, unit: "iterations" });
    const dropped = await judge({ kind: "dropped-iterations", id: "kept-up", traffic: "devices", atMost: 10 }, history(healthy, { droppedIterations: { devices: 11 } }));
    expect(dropped).toMatchObject({ verdict: "unknown", observed: 11 });
    expect(dropped.why).toContain("dropped 11 iterations > 10 allowed");
    expect(await judge({ kind: "dropped-iterations", id: "kept-up", traffic: "users" }, history(healthy))).toMatchObject({ verdict: "unknown", observed: null });
  });
});

describe("scenario validation of the timing SLOs", () => {
  const base: ScenarioInput = {
    name: "demo",
    secrets: ["device-key"],
    topology: { nodes: [{ name: "app-1", image: "app", ports: [8080] }, { name: "app-2", image: "app", ports: [8080] }] },
    traffic: [{ name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app-1", port: 8080 }, duration: "60s" }],
    faults: [{ kind: "kill", id: "kill-app-2", target: { names: ["app-2"] }, at: "20s", for: "20s" }],
    slos: [{ kind: "availability", id: "available", traffic: "devices", atLeastPercent: 99 }],
  };
  const issues = (slos: SloSpecInput[]) => {
    const parsed = Scenario.safeParse({ ...base, slos });
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
  };

  it("accepts every kind with defaults", async () => {
    expect(
      issues([
        { kind: "longest-outage", id: "a", traffic: "devices", atMost: "5s" },
        { kind: "recovery-time", id: "b", traffic: "devices", fault: "kill-app-2", atMost: "10s" },
        { kind: "latency", id: "c", traffic: "devices", percentile: 99, atMostMs: 250 },
        { kind: "dropped-iterations", id: "d", traffic: "devices" },
      ]),
    ).toEqual([]);
  });

  it("names the path of an unknown fault, a too-short stable stretch, a bad percentile and stale reads on a class that cannot check them", async () => {
    expect(issues([{ kind: "recovery-time", id: "b", traffic: "devices", fault: "kill-app-9", atMost: "10s", stableFor: "100ms" }])).toEqual([
      'slos.0.fault: unknown fault id "kill-app-9"; did you mean "kill-app-2"? fault ids: kill-app-2',
      "slos.0.stableFor: expected at least 200ms, got 100ms: a shorter hold proves nothing about staying up",
    ]);
    expect(issues([{ kind: "latency", id: "c", traffic: "devices", percentile: 0, atMostMs: 250 }])[0]).toMatch(/^slos\.0\.percentile: /);
    expect(issues([{ kind: "stale-reads", id: "s", traffic: "devices" }])).toEqual([
      'slos.0.traffic: stale-reads needs a class whose reads check read-your-writes (a k6 class with checksReadYourWrites: true); "devices" does not',
    ]);
    expect(issues([{ kind: "longest-outage", id: "a", traffic: "devices", atMost: "5s", window: { kind: "fault", fault: "nope", phase: "during" } }])).toEqual([
      'slos.0.window.fault: unknown fault id "nope"; fault ids: kill-app-2',
    ]);
  });
});
