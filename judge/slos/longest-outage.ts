import { formatSeconds } from "../../core/duration.ts";
import type { History } from "../../core/history.ts";
import type { OpBounds, SloResult } from "../../core/verdict.ts";
import { describeBounds, opIndex, outagesFromOps, seconds, startedIn, type OpOutage } from "./op-window.ts";
import { droppedNote, secondPercent, secondsInWindow } from "./series.ts";
import { resolveWindow } from "./window.ts";
import { z } from "zod";
import { DurationMs } from "../../core/duration.ts";
import { sloBase, sloOps, runWindow, percent } from "./slo-fields.ts";
import type { SloKind } from "../slo-kind.ts";
import { checkSloWindow } from "./window-checks.ts";

/**
 * The longest continuous outage of a traffic class in a window, in ms from the ops' own times: it starts at a failed
 * op when the ops started in the next second are below `downBelowPercent` ok, and ends at the answer of the first ok
 * op after which the next second's ops are at or above it again (reports/slo/op-window.ts). Histories without an op
 * trace fall back to whole seconds.
 */
export const LongestOutageSlo = z
  .object({ kind: z.literal("longest-outage"), ...sloBase, ops: sloOps, window: runWindow, atMost: DurationMs, downBelowPercent: percent.default(50) })
  .strict();
export type LongestOutageSloSpec = z.infer<typeof LongestOutageSlo>;

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

/**
 * Fails when the longest outage in the window is longer than allowed; a window without traffic is unknown.
 * Timed from the ops (ms, bounded by the ops named in `bounds`); histories without an op trace use whole seconds.
 */
export function checkLongestOutage(slo: LongestOutageSloSpec, history: History): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `<= ${formatSeconds(slo.atMost)}`, unit: "ms" };
  const resolved = resolveWindow(slo.window, history);
  if (resolved.window === null) return { ...base, verdict: "unknown", observed: null, window: null, why: `${slo.traffic} outage cannot be judged: ${resolved.why}` };
  const window = resolved.window;
  const what = slo.ops === "all" ? slo.traffic : `${slo.traffic} ${slo.ops}`;
  const index = opIndex(history, slo.traffic, slo.ops);
  const rule = index ? ` (down: below ${slo.downBelowPercent}% ok over the next second of ops)` : ` (a second is down below ${slo.downBelowPercent}% ok; 1 s resolution: no op trace)`;
  let observed: number;
  let where = "";
  let bounds: OpBounds | undefined;
  if (index) {
    if (startedIn(index, window.fromMs, window.toMs).requests === 0) return { ...base, verdict: "unknown", observed: null, window, why: `no traffic in window: no ${what} requests ${window.label}` };
    const outages = outagesFromOps(index, window, slo.downBelowPercent);
    const longest = outages.reduce<OpOutage | undefined>((a, o) => (a === undefined || o.toMs - o.fromMs > a.toMs - a.fromMs ? o : a), undefined);
    observed = longest ? Math.round(longest.toMs - longest.fromMs) : 0;
    if (longest) {
      bounds = { lastOkBefore: longest.lastOkBefore, firstNotOk: longest.firstNotOk, firstOkAfter: longest.firstOkAfter };
      const until = longest.recovered ? seconds(longest.toMs) : "the end of the window, never back";
      where = ` (${seconds(longest.fromMs)} to ${until}; ${describeBounds(bounds)}${outages.length > 1 ? `; ${outages.length} outages` : ""})`;
    }
  } else {
    if (slo.ops !== "all") return { ...base, verdict: "unknown", observed: null, window, why: `this history has no op trace, so ${what} cannot be told apart (re-run the scenario)` };
    const secondsSeen = secondsInWindow(history.timeline, slo.traffic, window);
    if (secondsSeen.length === 0) return { ...base, verdict: "unknown", observed: null, window, why: `no traffic in window: no ${slo.traffic} requests ${window.label}` };
    const outage = longestOutage(secondsSeen, slo.downBelowPercent, window.toMs);
    observed = outage ? outage.toMs - outage.fromMs : 0;
    where = outage ? ` (${formatSeconds(outage.fromMs)} to ${outage.recovered ? formatSeconds(outage.toMs) : "the end of the window, never back"})` : "";
  }
  const meets = observed <= slo.atMost;
  const shown = index ? seconds(observed) : formatSeconds(observed);
  const why = `${what} longest outage ${shown}${where} ${meets ? "<=" : ">"} ${formatSeconds(slo.atMost)} ${window.label}${rule}`;
  const extra = bounds ? { bounds } : {};
  if (!meets) return { ...base, verdict: "fail", observed, window, why, ...extra };
  const dropped = droppedNote(history, slo.traffic, window);
  if (dropped) return { ...base, verdict: "unknown", observed, window, why: `${dropped}: ${why}`, ...extra };
  return { ...base, verdict: "pass", observed, window, why, ...extra };
}

export const longestOutageKind: SloKind<LongestOutageSloSpec> = {
  kind: "longest-outage",
  schema: LongestOutageSlo,
  validate: (slo, view, report, path) => checkSloWindow(slo, view, report, path),
  judge: (slo, history) => checkLongestOutage(slo, history),
};
