import { describe, expect, it } from "vitest";
import type { TimelineBucket } from "../../core/history.ts";
import { SafetyMonitor } from "../../engine/runner/safety-monitor.ts";

const bucket = (traffic: string, second: number, requests: number, errors: number): TimelineBucket => ({
  traffic,
  second,
  requests,
  ok: requests - errors,
  fail: errors,
  unknown: 0,
  causes: {},
  latency: {},
  freshnessChecks: 0,
  staleReads: 0,
});

describe("safety stop", () => {
  it("trips once, on the first second where the error rate held for the whole span", () => {
    const trips: string[] = [];
    const monitor = new SafetyMonitor([{ errorPercentAtLeast: 90, for: 3_000 }], ["devices"], (why) => trips.push(why));
    [bucket("devices", 0, 50, 0), bucket("devices", 1, 50, 50), bucket("devices", 2, 50, 46), bucket("devices", 3, 50, 50), bucket("devices", 4, 50, 50)].forEach((b) => monitor.observe(b));
    expect(trips).toEqual(["safety stop: devices errors >= 90% for 3 s (seconds 1 to 3)"]);
    expect(monitor.tripped).toBe(trips[0]);
  });

  it("does not trip on a gap, on a short burst, or on classes it does not watch", () => {
    const trips: string[] = [];
    const monitor = new SafetyMonitor([{ errorPercentAtLeast: 100, for: 3_000 }], ["devices"], (why) => trips.push(why));
    [bucket("devices", 1, 10, 10), bucket("devices", 2, 10, 10), bucket("devices", 4, 10, 10), bucket("abuser", 5, 10, 10), bucket("abuser", 6, 10, 10), bucket("abuser", 7, 10, 10)].forEach((b) =>
      monitor.observe(b),
    );
    expect(trips).toEqual([]);
  });

  it("sums split buckets of one second (late ops) before judging", () => {
    const trips: string[] = [];
    const monitor = new SafetyMonitor([{ traffic: "devices", errorPercentAtLeast: 100, for: 1_000 }], [], (why) => trips.push(why));
    monitor.observe(bucket("devices", 3, 10, 10));
    expect(trips).toHaveLength(1);
    // Second 4 arrives in two parts (a late extra bucket): 5 ok, then 10 errors; summed it is 67%, not 100%.
    const other = new SafetyMonitor([{ traffic: "devices", errorPercentAtLeast: 100, for: 2_000 }], [], (why) => trips.push(why));
    other.observe(bucket("devices", 3, 10, 10));
    other.observe(bucket("devices", 4, 5, 0));
    other.observe(bucket("devices", 4, 10, 10));
    expect(trips).toHaveLength(1);
  });
});
