import type { History } from "../../core/history.ts";
import { mergeHistograms, percentileMs, type LatencyHistogram } from "../../core/latency-histogram.ts";
import type { SloSpec } from "../../core/slo-spec.ts";
import type { SloResult } from "../../core/verdict.ts";
import { formatCount, formatLatencyMs } from "../format.ts";
import { droppedNote, secondsInWindow } from "./series.ts";
import { resolveWindow } from "./window.ts";

export type LatencySloSpec = Extract<SloSpec, { kind: "latency" }>;

/**
 * A latency percentile over every request in the window, from the per-second histograms merged exactly
 * (relative error <= 5 %, see core/latency-histogram.ts). Failed requests count too: a fast 503 lowers it,
 * which is why a latency SLO belongs next to an availability SLO. No requests in the window is unknown.
 */
export function checkLatency(slo: LatencySloSpec, history: History): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `p${slo.percentile} <= ${formatLatencyMs(slo.atMostMs)}`, unit: "ms" };
  const resolved = resolveWindow(slo.window, history);
  if (resolved.window === null) return { ...base, verdict: "unknown", observed: null, window: null, why: `${slo.traffic} latency cannot be judged: ${resolved.why}` };
  const window = resolved.window;
  const seconds = secondsInWindow(history.timeline, slo.traffic, window);
  const histogram: LatencyHistogram = {};
  let requests = 0;
  for (const s of seconds) {
    mergeHistograms(histogram, s.latency);
    requests += s.requests;
  }
  const value = percentileMs(histogram, slo.percentile);
  if (value === undefined) return { ...base, verdict: "unknown", observed: null, window, why: `no traffic in window: no ${slo.traffic} requests ${window.label}` };
  const observed = Math.round(value * 10) / 10;
  const meets = value <= slo.atMostMs;
  const why = `${slo.traffic} p${slo.percentile} latency ${formatLatencyMs(value)} ${meets ? "<=" : ">"} ${formatLatencyMs(slo.atMostMs)} ${window.label} over ${formatCount(requests)} requests`;
  if (!meets) return { ...base, verdict: "fail", observed, window, why };
  const dropped = droppedNote(history, slo.traffic, window);
  if (dropped) return { ...base, verdict: "unknown", observed, window, why: `${dropped}: ${why}` };
  return { ...base, verdict: "pass", observed, window, why };
}
