import type { History } from "../../core/history.ts";
import { mergeHistograms, percentileMs, type LatencyHistogram } from "../../core/latency-histogram.ts";
import type { SloResult } from "../../core/verdict.ts";
import { formatCount, formatLatencyMs } from "../../core/format.ts";
import { droppedNote, secondsInWindow } from "./series.ts";
import { resolveWindow, type ResolvedWindow } from "./window.ts";
import { durationPercentile, opIndex } from "./op-window.ts";
import { z } from "zod";
import { sloBase, sloOps, runWindow, percent } from "./slo-fields.ts";
import type { SloKind } from "../slo-kind.ts";
import { checkSloWindow } from "./window-checks.ts";

/** A latency percentile over every request of a traffic class in a window (failed requests included). */
export const LatencySlo = z
  .object({ kind: z.literal("latency"), ...sloBase, ops: sloOps, window: runWindow, percentile: z.number().gt(0).max(100), atMostMs: z.number().positive() })
  .strict();
export type LatencySloSpec = z.infer<typeof LatencySlo>;

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
  const index = opIndex(history, slo.traffic, slo.ops);
  if (index) return judge(slo, history, window, durationPercentile(index, window.fromMs, window.toMs, slo.percentile), "exact, from the op trace");
  if (slo.ops !== "all") return { ...base, verdict: "unknown", observed: null, window, why: `this history has no op trace, so ${slo.ops} of ${slo.traffic} cannot be told apart (re-run the scenario)` };
  const seconds = secondsInWindow(history.timeline, slo.traffic, window);
  const histogram: LatencyHistogram = {};
  let requests = 0;
  for (const s of seconds) {
    mergeHistograms(histogram, s.latency);
    requests += s.requests;
  }
  const value = percentileMs(histogram, slo.percentile);
  return judge(slo, history, window, value === undefined ? undefined : { valueMs: value, requests }, "from per-second histograms, <= 5 % error");
}

function judge(slo: LatencySloSpec, history: History, window: ResolvedWindow, found: { valueMs: number; requests: number } | undefined, how: string): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `p${slo.percentile} <= ${formatLatencyMs(slo.atMostMs)}`, unit: "ms" };
  const what = slo.ops === "all" ? slo.traffic : `${slo.traffic} ${slo.ops}`;
  if (found === undefined) return { ...base, verdict: "unknown", observed: null, window, why: `no traffic in window: no ${what} requests ${window.label}` };
  const value = found.valueMs;
  const observed = Math.round(value * 10) / 10;
  const meets = value <= slo.atMostMs;
  const why = `${what} p${slo.percentile} latency ${formatLatencyMs(value)} ${meets ? "<=" : ">"} ${formatLatencyMs(slo.atMostMs)} ${window.label} over ${formatCount(found.requests)} requests (${how})`;
  if (!meets) return { ...base, verdict: "fail", observed, window, why };
  const dropped = droppedNote(history, slo.traffic, window);
  if (dropped) return { ...base, verdict: "unknown", observed, window, why: `${dropped}: ${why}` };
  return { ...base, verdict: "pass", observed, window, why };
}

export const latencyKind: SloKind<LatencySloSpec> = {
  kind: "latency",
  schema: LatencySlo,
  validate: (slo, view, report, path) => checkSloWindow(slo, view, report, path),
  judge: (slo, history) => checkLatency(slo, history),
};
