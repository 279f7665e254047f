import { describe, expect, it } from "vitest";
import type { OpRecord, TimelineBucket } from "../../core/history.ts";
import { mergeHistograms } from "../../core/latency-histogram.ts";
import { TimelineBuilder } from "../../load/timeline.ts";

const startMs = 1_700_000_000_000;

function op(atMs: number, overrides: Partial<OpRecord> = {}): OpRecord {
  return { traffic: "devices", op: "write", id: `w${atMs}`, startEpochMs: startMs + atMs, durationMs: 5, outcome: "ok", cause: "http_201", ...overrides };
}

function builder(latenessMs = 3_000) {
  const closed: TimelineBucket[] = [];
  return { closed, timeline: new TimelineBuilder(startMs, (bucket) => closed.push(bucket), latenessMs) };
}

/** Sums buckets of the same (traffic, second), as consumers must (late ops come as extra buckets). */
function merged(buckets: TimelineBucket[]): Map<string, TimelineBucket> {
  const byKey = new Map<string, TimelineBucket>();
  for (const b of buckets) {
    const key = `${b.traffic}/${b.second}`;
    const into = byKey.get(key);
    if (!into) {
      byKey.set(key, structuredClone(b));
      continue;
    }
    into.requests += b.requests;
    into.ok += b.ok;
    into.fail += b.fail;
    into.unknown += b.unknown;
    for (const [cause, n] of Object.entries(b.causes)) into.causes[cause] = (into.causes[cause] ?? 0) + n;
    mergeHistograms(into.latency, b.latency);
  }
  return byKey;
}

describe("TimelineBuilder", () => {
  it("emits nothing for no ops", () => {
    const { closed, timeline } = builder();
    timeline.advance(startMs + 60_000);
    timeline.finish();
    expect(closed).toEqual([]);
    expect(timeline.lateOps).toBe(0);
  });

  it("counts outcomes, causes and latency per second and traffic class", () => {
    const { closed, timeline } = builder();
    timeline.add(op(0));
    timeline.add(op(999, { outcome: "fail", cause: "http_503", durationMs: 100 }));
    timeline.add(op(1_000, { outcome: "unknown", cause: "timeout", durationMs: 2_000 }));
    timeline.add(op(500, { traffic: "users", op: "read" }));
    timeline.finish();
    expect(closed.map((b) => [b.traffic, b.second])).toEqual([["devices", 0], ["users", 0], ["devices", 1]]);
    const second0 = closed[0]!;
    expect(second0).toMatchObject({ requests: 2, ok: 1, fail: 1, unknown: 0, causes: { http_201: 1, http_503: 1 } });
    expect(Object.values(second0.latency).reduce((a, b) => a + b, 0)).toBe(2);
    expect(closed[2]).toMatchObject({ requests: 1, unknown: 1, causes: { timeout: 1 } });
  });

  it("puts ops before traffic start in negative seconds", () => {
    const { closed, timeline } = builder();
    timeline.add(op(-1));
    timeline.finish();
    expect(closed[0]?.second).toBe(-1);
  });

  it("closes a second only once it ended more than latenessMs ago", () => {
    const { closed, timeline } = builder(3_000);
    timeline.add(op(100));
    timeline.advance(startMs + 4_000); // second 0 ended at 1000, exactly 3000 ago: still open
    expect(closed).toHaveLength(0);
    timeline.advance(startMs + 4_001);
    expect(closed.map((b) => b.second)).toEqual([0]);
    expect(timeline.openBuckets).toBe(0);
  });

  it("accepts out-of-order ops within the lateness window", () => {
    const { closed, timeline } = builder(3_000);
    for (const at of [2_500, 100, 1_900, 50, 2_999, 1_000]) timeline.add(op(at));
    timeline.advance(startMs + 5_500);
    timeline.finish();
    expect(closed.map((b) => [b.second, b.requests])).toEqual([[0, 2], [1, 2], [2, 2]]);
    expect(timeline.lateOps).toBe(0);
  });

  it("counts a late op and emits it as an extra bucket so totals stay exact", () => {
    const { closed, timeline } = builder(1_000);
    timeline.add(op(200));
    timeline.advance(startMs + 2_500); // closes second 0
    expect(closed).toHaveLength(1);
    timeline.add(op(300, { outcome: "unknown", cause: "timeout" }));
    timeline.add(op(1_700_000, { id: "far" })); // fine: a future second, still open
    expect(timeline.lateOps).toBe(1);
    timeline.advance(startMs + 2_600);
    expect(closed).toHaveLength(2);
    expect(closed[1]).toMatchObject({ second: 0, requests: 1, unknown: 1 });
    timeline.finish();
    const totals = merged(closed);
    expect(totals.get("devices/0")).toMatchObject({ requests: 2, ok: 1, unknown: 1, causes: { http_201: 1, timeout: 1 } });
    expect([...totals.values()].reduce((sum, b) => sum + b.requests, 0)).toBe(3);
  });

  it("treats an op for a closed second that had no traffic as late too", () => {
    const { closed, timeline } = builder(0);
    timeline.advance(startMs + 10_000);
    timeline.add(op(3_000));
    timeline.finish();
    expect(timeline.lateOps).toBe(1);
    expect(closed).toEqual([expect.objectContaining({ second: 3, requests: 1 })]);
  });

  it("keeps memory bounded by open seconds on a long stream", () => {
    const { closed, timeline } = builder(2_000);
    let maxOpen = 0;
    for (let ms = 0; ms < 600_000; ms += 10) {
      timeline.add(op(ms));
      if (ms % 1_000 === 0) timeline.advance(startMs + ms);
      maxOpen = Math.max(maxOpen, timeline.openBuckets);
    }
    timeline.finish();
    expect(maxOpen).toBeLessThanOrEqual(5);
    expect(closed).toHaveLength(600);
    expect(closed.every((b, i) => b.second === i && b.requests === 100)).toBe(true);
  });

  it("rejects ops after finish and ignores repeated finish/advance", () => {
    const { closed, timeline } = builder();
    timeline.add(op(0));
    timeline.finish();
    timeline.finish();
    timeline.advance(startMs + 100_000);
    expect(closed).toHaveLength(1);
    expect(() => timeline.add(op(1))).toThrow(/after finish/);
  });
});
