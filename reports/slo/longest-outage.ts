import { formatSeconds } from "../../core/duration.ts";
import type { History } from "../../core/history.ts";
import type { SloSpec } from "../../core/slo-spec.ts";
import type { SloResult } from "../../core/verdict.ts";
import { droppedNote, secondPercent, secondsInWindow } from "./series.ts";
import { resolveWindow } from "./window.ts";

export type LongestOutageSloSpec = Extract<SloSpec, { kind: "longest-outage" }>;

/** The longest outage found: [fromMs, toMs) on the run's clock; toMs is the window's end if it never came back. */
export interface Outage {
  fromMs: number;
  toMs: number;
  recovered: boolean;
}

/**
 * Longest stretch from a down second to the next up second, inside [fromMs, toMs). Seconds without traffic
 * neither start nor end an outage: "down until proven up", so a stall that stops requests cannot hide one.
 */
export function longestOutage(seconds: readonly { second: number; ok: number; requests: number }[], downBelowPercent: number, windowToMs: number): Outage | undefined {
  let longest: Outage | undefined;
  let downSinceMs: number | undefined;
  const consider = (outage: Outage) => {
    if (longest === undefined || outage.toMs - outage.fromMs > longest.toMs - longest.fromMs) longest = outage;
  };
  for (const s of seconds) {
    const down = secondPercent(s) < downBelowPercent - 1e-9;
    if (down) downSinceMs ??= s.second * 1000;
    else if (downSinceMs !== undefined) {
      consider({ fromMs: downSinceMs, toMs: s.second * 1000, recovered: true });
      downSinceMs = undefined;
    }
  }
  if (downSinceMs !== undefined) consider({ fromMs: downSinceMs, toMs: Math.max(windowToMs, downSinceMs + 1000), recovered: false });
  return longest;
}

/** Fails when the longest outage in the window is longer than allowed; a window without traffic is unknown. */
export function checkLongestOutage(slo: LongestOutageSloSpec, history: History): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `<= ${formatSeconds(slo.atMost)}`, unit: "ms" };
  const resolved = resolveWindow(slo.window, history);
  if (resolved.window === null) return { ...base, verdict: "unknown", observed: null, window: null, why: `${slo.traffic} outage cannot be judged: ${resolved.why}` };
  const window = resolved.window;
  const seconds = secondsInWindow(history.timeline, slo.traffic, window);
  if (seconds.length === 0) return { ...base, verdict: "unknown", observed: null, window, why: `no traffic in window: no ${slo.traffic} requests ${window.label}` };
  const outage = longestOutage(seconds, slo.downBelowPercent, window.toMs);
  const observed = outage ? outage.toMs - outage.fromMs : 0;
  const where = outage ? ` (${formatSeconds(outage.fromMs)} to ${outage.recovered ? formatSeconds(outage.toMs) : "the end of the window, never back"})` : "";
  const meets = observed <= slo.atMost;
  const why =
    `${slo.traffic} longest outage ${formatSeconds(observed)}${where} ${meets ? "<=" : ">"} ${formatSeconds(slo.atMost)} ${window.label}` +
    ` (a second is down below ${slo.downBelowPercent}% ok)`;
  if (!meets) return { ...base, verdict: "fail", observed, window, why };
  const dropped = droppedNote(history, slo.traffic, window);
  if (dropped) return { ...base, verdict: "unknown", observed, window, why: `${dropped}: ${why}` };
  return { ...base, verdict: "pass", observed, window, why };
}
