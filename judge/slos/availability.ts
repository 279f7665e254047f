import type { History, TimelineBucket } from "../../core/history.ts";
import type { SloResult } from "../../core/verdict.ts";
import { formatCount, formatPercent, truncatedPercent } from "../../core/format.ts";
import type { OpKind } from "../../core/op-trace.ts";
import { opIndex, startedIn } from "./op-window.ts";
import { droppedInWindow } from "./series.ts";
import { resolveWindow, type ResolvedWindow } from "./window.ts";
import { z } from "zod";
import { sloBase, sloOps, runWindow, percent } from "./slo-fields.ts";
import type { SloKind } from "../slo-kind.ts";
import { checkSloWindow } from "./window-checks.ts";

/** Successful requests / all requests of a traffic class in a window, in percent. */
export const AvailabilitySlo = z
  .object({ kind: z.literal("availability"), ...sloBase, ops: sloOps, window: runWindow, atLeastPercent: z.number().min(0).max(100) })
  .strict();
export type AvailabilitySloSpec = z.infer<typeof AvailabilitySlo>;

/** Request counts of one traffic class inside a window. */
export interface WindowCounts {
  requests: number;
  ok: number;
  fail: number;
  unknown: number;
}

/**
 * Sums the per-second buckets of one traffic class whose second starts inside [fromMs, toMs).
 * Resolution is 1 s: a window edge inside a second moves to the next whole second, so a window
 * [20 500, 40 500) counts seconds 21..40. Good enough for SLO windows of several seconds; the
 * history keeps no finer record by design (bounded memory for long runs).
 */
export function countInWindow(timeline: readonly TimelineBucket[], traffic: string, window: Pick<ResolvedWindow, "fromMs" | "toMs">): WindowCounts {
  const counts: WindowCounts = { requests: 0, ok: 0, fail: 0, unknown: 0 };
  for (const bucket of timeline) {
    const startMs = bucket.second * 1000;
    if (bucket.traffic !== traffic || startMs < window.fromMs || startMs >= window.toMs) continue;
    counts.requests += bucket.requests;
    counts.ok += bucket.ok;
    counts.fail += bucket.fail;
    counts.unknown += bucket.unknown;
  }
  return counts;
}

/**
 * Counts of the ops started in the window, exact to the ms from the op trace; histories without one fall back to the
 * per-second timeline (all ops only: undefined for writes or reads).
 */
function countOps(history: History, traffic: string, kind: OpKind, window: Pick<ResolvedWindow, "fromMs" | "toMs">): WindowCounts | undefined {
  const index = opIndex(history, traffic, kind);
  if (!index) return kind === "all" ? countInWindow(history.timeline, traffic, window) : undefined;
  const { requests, ok } = startedIn(index, window.fromMs, window.toMs);
  // The trace keeps ok or not; the split of the rest into failed and unknown comes from the trace letters.
  const notOk = splitNotOk(history, traffic, kind, window);
  return { requests, ok, fail: notOk.fail, unknown: notOk.unknown };
}

/** Failed and unknown ops started in the window (op trace letters). */
function splitNotOk(history: History, traffic: string, kind: OpKind, window: Pick<ResolvedWindow, "fromMs" | "toMs">): { fail: number; unknown: number } {
  const trace = history.ops![traffic]!;
  let start = 0;
  let fail = 0;
  let unknown = 0;
  for (let i = 0; i < trace.outcomes.length; i++) {
    start += trace.startDeltaMs[i]!;
    if (start < window.fromMs || start >= window.toMs) continue;
    const letter = trace.outcomes[i]!;
    const write = letter === letter.toUpperCase();
    if ((kind === "writes" && !write) || (kind === "reads" && write)) continue;
    if (letter === "f" || letter === "F") fail++;
    else if (letter === "u" || letter === "U") unknown++;
  }
  return { fail, unknown };
}

/**
 * Availability = ok / requests in the window, in percent. Unknown outcomes (timeouts) count as not available:
 * the user did not get an answer. No requests in the window is unknown, never a pass. Dropped load-generator
 * iterations turn a would-be pass into unknown (the system was not offered the load the SLO assumes);
 * a fail stays a fail, because what was offered already failed.
 */
export function checkAvailability(slo: AvailabilitySloSpec, history: History): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `>= ${slo.atLeastPercent}%`, unit: "%" };
  const resolved = resolveWindow(slo.window, history);
  if (resolved.window === null) {
    return { ...base, verdict: "unknown", observed: null, window: null, why: `${slo.traffic} availability cannot be judged: ${resolved.why}` };
  }
  const window = resolved.window;
  const counts = countOps(history, slo.traffic, slo.ops, window);
  if (counts === undefined)
    return { ...base, verdict: "unknown", observed: null, window, why: `this history has no op trace, so ${slo.ops} of ${slo.traffic} cannot be told apart (re-run the scenario)` };
  if (counts.requests === 0) {
    return { ...base, verdict: "unknown", observed: null, window, why: `no traffic in window: no ${slo.traffic} requests ${window.label}` };
  }
  const observed = truncatedPercent(counts.ok, counts.requests);
  // Compare the exact ratio (not the truncated display value); the epsilon absorbs float error at equality.
  const meets = (counts.ok / counts.requests) * 100 >= slo.atLeastPercent - 1e-9;
  const notOk = counts.requests - counts.ok;
  const what = slo.ops === "all" ? slo.traffic : `${slo.traffic} ${slo.ops}`;
  const why =
    `${what} availability ${formatPercent(observed)} ${meets ? ">=" : "<"} ${slo.atLeastPercent}% ${window.label}: ` +
    `${formatCount(counts.requests)} requests, ${formatCount(notOk)} not ok (${formatCount(counts.fail)} failed, ${formatCount(counts.unknown)} unknown)`;
  if (!meets) return { ...base, verdict: "fail", observed, window, why };
  const dropped = droppedInWindow(history, slo.traffic, window);
  if (dropped > 0) {
    return { ...base, verdict: "unknown", observed, window, why: `load generator dropped ${formatCount(dropped)} iterations; cannot judge: ${why}` };
  }
  return { ...base, verdict: "pass", observed, window, why };
}

export const availabilityKind: SloKind<AvailabilitySloSpec> = {
  kind: "availability",
  schema: AvailabilitySlo,
  validate: (slo, view, report, path) => checkSloWindow(slo, view, report, path),
  judge: (slo, history) => checkAvailability(slo, history),
};
