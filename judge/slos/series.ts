import type { History, TimelineBucket } from "../../core/history.ts";
import { mergeHistograms, type LatencyHistogram } from "../../core/latency-histogram.ts";
import type { ResolvedWindow } from "./window.ts";

/** One second of one traffic class, with the timeline's duplicate buckets for that second summed. */
export interface Second {
  second: number;
  requests: number;
  ok: number;
  latency: LatencyHistogram;
  freshnessChecks: number;
  staleReads: number;
}

/**
 * The seconds of a traffic class whose start lies in [fromMs, toMs), ascending, seconds without traffic left out.
 * Same 1 s resolution rule as countInWindow: a window edge inside a second moves to the next whole second.
 * The timeline may hold several buckets for one second (late ops, several k6 processes); they are summed here.
 */
export function secondsInWindow(timeline: readonly TimelineBucket[], traffic: string, window: Pick<ResolvedWindow, "fromMs" | "toMs">): Second[] {
  const bySecond = new Map<number, Second>();
  for (const bucket of timeline) {
    const startMs = bucket.second * 1000;
    if (bucket.traffic !== traffic || startMs < window.fromMs || startMs >= window.toMs) continue;
    let s = bySecond.get(bucket.second);
    if (s === undefined) {
      s = { second: bucket.second, requests: 0, ok: 0, latency: {}, freshnessChecks: 0, staleReads: 0 };
      bySecond.set(bucket.second, s);
    }
    s.requests += bucket.requests;
    s.ok += bucket.ok;
    mergeHistograms(s.latency, bucket.latency);
    s.freshnessChecks += bucket.freshnessChecks;
    s.staleReads += bucket.staleReads;
  }
  return [...bySecond.values()].sort((a, b) => a.second - b.second);
}

/** Availability of one second in percent (it has traffic by construction). */
export function secondPercent(s: Pick<Second, "ok" | "requests">): number {
  return (s.ok / s.requests) * 100;
}

/**
 * How many iterations of a class the load generator dropped in a window (iterations it could not start: load asked
 * for but never offered, so a would-be pass there is only unknown). Seconds follow secondsInWindow's rule. When not
 * every dropped iteration is placed in a second (droppedBySecond falls short of the total: a killed run re-rendered,
 * a class without per-second counts), the class total, since the unplaced ones may lie in the window.
 */
export function droppedInWindow(history: Pick<History, "droppedIterations" | "droppedBySecond">, traffic: string, window: Pick<ResolvedWindow, "fromMs" | "toMs">): number {
  const total = history.droppedIterations[traffic] ?? 0;
  if (total === 0) return 0;
  const bySecond = history.droppedBySecond.filter((d) => d.traffic === traffic);
  if (bySecond.reduce((n, d) => n + d.count, 0) !== total) return total;
  return bySecond.filter((d) => d.second * 1000 >= window.fromMs && d.second * 1000 < window.toMs).reduce((n, d) => n + d.count, 0);
}

/** Why a would-be pass is only unknown: the load generator dropped iterations of this class in the window; undefined if none. */
export function droppedNote(history: Pick<History, "droppedIterations" | "droppedBySecond">, traffic: string, window: Pick<ResolvedWindow, "fromMs" | "toMs">): string | undefined {
  const dropped = droppedInWindow(history, traffic, window);
  return dropped > 0 ? `load generator dropped ${dropped} iterations of ${traffic}; cannot judge` : undefined;
}
