import type { History } from "../core/history.ts";
import { mergeHistograms, percentileMs, type LatencyHistogram } from "../core/latency-histogram.ts";
import { truncatedPercent } from "../core/format.ts";
import type { TrafficSummary } from "./report-schema.ts";

/** 0.1 ms is below the histogram's own 5 % error; more digits would only look precise. */
function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/**
 * Whole-run totals per traffic class, from the per-second timeline. `classes` lists classes that must appear
 * even without a single request (a class that never sent anything is itself a finding).
 */
export function summarizeTraffic(history: History, classes: readonly string[] = []): Record<string, TrafficSummary> {
  const names = new Set([...classes, ...history.timeline.map((b) => b.traffic)]);
  const summary: Record<string, TrafficSummary> = {};
  for (const name of names) {
    const totals = { requests: 0, ok: 0, fail: 0, unknown: 0 };
    const causes: Record<string, number> = {};
    const latency: LatencyHistogram = {};
    for (const bucket of history.timeline) {
      if (bucket.traffic !== name) continue;
      totals.requests += bucket.requests;
      totals.ok += bucket.ok;
      totals.fail += bucket.fail;
      totals.unknown += bucket.unknown;
      for (const [cause, n] of Object.entries(bucket.causes)) causes[cause] = (causes[cause] ?? 0) + n;
      mergeHistograms(latency, bucket.latency);
    }
    const p50 = percentileMs(latency, 50);
    const p95 = percentileMs(latency, 95);
    const p99 = percentileMs(latency, 99);
    summary[name] = {
      ...totals,
      availabilityPercent: totals.requests === 0 ? null : truncatedPercent(totals.ok, totals.requests),
      latencyMs: p50 === undefined || p95 === undefined || p99 === undefined ? null : { p50: roundMs(p50), p95: roundMs(p95), p99: roundMs(p99) },
      causes,
      droppedIterations: history.droppedIterations[name] ?? 0,
    };
  }
  return summary;
}
