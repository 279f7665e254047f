import { describe, expect, it } from "vitest";
import type { OpRecord, TimelineBucket } from "../../core/history.ts";
import { bucketOf, recordLatency, type LatencyHistogram } from "../../core/latency-histogram.ts";
import { decodeOpTrace, encodeOpTrace, outcomeLetter, type OpTrace } from "../../core/op-trace.ts";
import { OpTraceBuilder } from "../../load/op-trace-builder.ts";
import { TimelineBuilder } from "../../load/timeline.ts";

/** The encoding as first written (one comparator sort, one letter at a time): the fast paths must match it exactly. */
function referenceEncode(startMs: ArrayLike<number>, durationMs: ArrayLike<number>, letters: ArrayLike<number | string>, length: number): OpTrace {
  const order = Array.from({ length }, (_, i) => i).sort((a, b) => startMs[a]! - startMs[b]! || a - b);
  const startDeltaMs: number[] = [];
  const durations: number[] = [];
  let outcomes = "";
  let previous = 0;
  for (const index of order) {
    const start = Math.round(startMs[index]!);
    startDeltaMs.push(start - previous);
    previous = start;
    durations.push(Math.max(0, Math.round(durationMs[index]!)));
    const letter = letters[index]!;
    outcomes += typeof letter === "string" ? letter : String.fromCharCode(letter);
  }
  return { startDeltaMs, durationMs: durations, outcomes };
}

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a * 1_664_525 + 1_013_904_223) >>> 0;
    return a / 2 ** 32;
  };
}

describe("encodeOpTrace", () => {
  const cases = [
    { name: "a busy class, starts nearly in order (counting sort)", n: 20_000, start: (i: number, r: () => number) => Math.floor(i / 4) + Math.floor(r() * 300) - 50 },
    { name: "a sparse class over a long span (packed native sort)", n: 3_000, start: (_: number, r: () => number) => Math.floor(r() * 5_000_000) - 1_000 },
    { name: "fractional starts (comparator)", n: 2_000, start: (i: number, r: () => number) => i + r() * 10 },
    { name: "a span beyond 2^27 ms (comparator)", n: 500, start: (_: number, r: () => number) => Math.floor(r() * 2 ** 29) },
    { name: "all at one ms (ties by arrival)", n: 1_000, start: () => 42 },
    { name: "no ops", n: 0, start: () => 0 },
  ];
  for (const c of cases) {
    it(`matches the reference: ${c.name}`, () => {
      const r = rng(c.n + 7);
      const start = Array.from({ length: c.n }, (_, i) => c.start(i, r));
      const duration = Array.from({ length: c.n }, () => Math.floor(r() * 3_000) - 5 + (r() < 0.1 ? 0.4 : 0));
      const letters = Array.from({ length: c.n }, () => outcomeLetter((["ok", "fail", "unknown"] as const)[Math.floor(r() * 3)]!, r() < 0.3).charCodeAt(0));
      const encoded = encodeOpTrace(start, duration, letters, c.n);
      expect(encoded).toEqual(referenceEncode(start, duration, letters, c.n));
      expect(decodeOpTrace(encoded).length).toBe(c.n);
    });
  }

  it("OpTraceBuilder keeps each class's ops, letters upper case for writes", () => {
    const origin = 1_700_000_000_000;
    const builder = new OpTraceBuilder(origin);
    const op = (traffic: string, atMs: number, o: Partial<OpRecord>): OpRecord => ({ traffic, op: "read", startEpochMs: origin + atMs, durationMs: 3, outcome: "ok", cause: "c", ...o });
    builder.add(op("a", 20, { op: "write", outcome: "fail" }));
    builder.add(op("b", 5, {}));
    builder.add(op("a", 10, { outcome: "unknown", durationMs: 2.6 }));
    builder.add(op("a", 30, { op: "write" }));
    expect(builder.encode()).toEqual({
      a: { startDeltaMs: [10, 10, 10], durationMs: [3, 3, 3], outcomes: "uFO" },
      b: { startDeltaMs: [5], durationMs: [3], outcomes: "o" },
    });
  });
});

describe("latency buckets", () => {
  const computed = (ms: number) => (ms >= 1 ? Math.floor(Math.log(ms) / Math.log(1.1)) + 1 : 0);
  it("the whole-ms table agrees with the formula everywhere, and the formula is used beyond it", () => {
    for (let ms = 0; ms < 65_536; ms++) if (bucketOf(ms) !== computed(ms)) expect(bucketOf(ms), `${ms} ms`).toBe(computed(ms));
    for (const ms of [0.5, 1.5, 65_536, 1e7, -1, Number.NaN, 2.9999]) expect(bucketOf(ms), `${ms} ms`).toBe(computed(ms));
  });

  it("records under the bucket number's decimal key", () => {
    const h: LatencyHistogram = {};
    recordLatency(h, 10);
    recordLatency(h, 10);
    recordLatency(h, 0.2);
    expect(h).toEqual({ [String(computed(10))]: 2, "0": 1 });
    expect(JSON.parse(JSON.stringify(h))).toEqual(h);
  });
});

describe("TimelineBuilder with interleaved classes and late ops", () => {
  it("sums to the same per (class, second) as a plain fold", () => {
    const origin = 1_700_000_000_000;
    const r = rng(3);
    const emitted: TimelineBucket[] = [];
    const timeline = new TimelineBuilder(origin, (b) => emitted.push(b), 1_000);
    const expected = new Map<string, number>();
    let now = origin;
    for (let i = 0; i < 20_000; i++) {
      now += r() * 2;
      // Mostly in order, some seconds late, two classes interleaved in runs.
      const traffic = Math.floor(i / 7) % 3 === 0 ? "b" : "a";
      const start = now - (r() < 0.05 ? r() * 5_000 : r() * 50);
      timeline.add({ traffic, op: "read", startEpochMs: start, durationMs: Math.floor(r() * 40), outcome: r() < 0.9 ? "ok" : "fail", cause: "c", stale: r() < 0.1 ? r() < 0.5 : undefined });
      const key = `${traffic}/${Math.floor((start - origin) / 1000)}`;
      expected.set(key, (expected.get(key) ?? 0) + 1);
      if (i % 500 === 0) timeline.advance(now);
    }
    timeline.finish();
    const got = new Map<string, number>();
    for (const b of emitted) {
      const key = `${b.traffic}/${b.second}`;
      got.set(key, (got.get(key) ?? 0) + b.requests);
      expect(Object.values(b.latency).reduce((n, c) => n + c, 0)).toBe(b.requests);
      expect(b.ok + b.fail + b.unknown).toBe(b.requests);
    }
    expect(got).toEqual(expected);
    expect(timeline.lateOps).toBeGreaterThan(0);
  });
});
