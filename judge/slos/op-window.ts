import type { History } from "../../core/history.ts";
import { decodeOpTrace, type OpKind, type Ops } from "../../core/op-trace.ts";

/**
 * Op-level views for SLO checks: outages and failover times from the ops' own start and end times, in ms
 * (Jepsen's latency/availability plots work the same way). Pure functions over the History's op trace.
 */

/** One op, as reports name the ops that bound an outage. ms from traffic start. */
export interface OpRef {
  startMs: number;
  endMs: number;
  ok: boolean;
}

/** A class's ops (filtered) with what the window queries need: prefix sums of ok by start, indexes by end. */
export interface OpIndex {
  ops: Ops;
  /** okBefore[i] = successful ops among the first i by start. */
  okBefore: Int32Array;
  /** Op indexes sorted by end time. */
  byEnd: Int32Array;
  /** End times in byEnd's order. */
  endsSorted: Float64Array;
}

/** The op index of a class, or undefined when the history has no op trace (saved before it was recorded). */
export function opIndex(history: Pick<History, "ops">, traffic: string, kind: OpKind = "all"): OpIndex | undefined {
  const trace = history.ops?.[traffic];
  if (!trace) return undefined;
  const ops = decodeOpTrace(trace, kind);
  const okBefore = new Int32Array(ops.length + 1);
  for (let i = 0; i < ops.length; i++) okBefore[i + 1] = okBefore[i]! + ops.ok[i]!;
  const byEnd = Int32Array.from({ length: ops.length }, (_, i) => i).sort((a, b) => ops.endMs[a]! - ops.endMs[b]! || a - b);
  const endsSorted = Float64Array.from(byEnd, (i) => ops.endMs[i]!);
  return { ops, okBefore, byEnd, endsSorted };
}

/** First index whose value is >= x in an ascending array. */
export function lowerBound(sorted: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Ops started in [fromMs, toMs): how many, how many ok. */
export function startedIn(index: OpIndex, fromMs: number, toMs: number): { requests: number; ok: number } {
  const a = lowerBound(index.ops.startMs, fromMs);
  const b = Math.max(a, lowerBound(index.ops.startMs, toMs));
  return { requests: b - a, ok: index.okBefore[b]! - index.okBefore[a]! };
}

function ref(index: OpIndex, i: number): OpRef {
  return { startMs: index.ops.startMs[i]!, endMs: index.ops.endMs[i]!, ok: index.ops.ok[i] === 1 };
}

const EPSILON = 1e-9;

/** The ok op with the latest end at or before `atMs` (the last answer before an outage), or null. */
function lastOkEndingBy(index: OpIndex, atMs: number): OpRef | null {
  for (let p = lowerBound(index.endsSorted, atMs + EPSILON) - 1; p >= 0; p--) {
    const i = index.byEnd[p]!;
    if (index.ops.ok[i] === 1) return ref(index, i);
  }
  return null;
}

/**
 * The first ok op (by end, ending at or after `fromMs`) after which the ops started in the next `holdMs` are at
 * least `atLeastPercent` ok: where the service is back. `mustFitBy`: a candidate whose hold window would end after
 * it cannot be confirmed (the data ends first), so the search stops there. Ops after which nothing else starts at
 * all (the end of the data) count as back.
 */
function firstStableOk(index: OpIndex, fromMs: number, holdMs: number, atLeastPercent: number, mustFitBy?: number): number | undefined {
  const lastStart = index.ops.length > 0 ? index.ops.startMs[index.ops.length - 1]! : -Infinity;
  for (let p = lowerBound(index.endsSorted, fromMs); p < index.byEnd.length; p++) {
    const i = index.byEnd[p]!;
    if (index.ops.ok[i] !== 1) continue;
    const endMs = index.ops.endMs[i]!;
    if (mustFitBy !== undefined && endMs + holdMs > mustFitBy) return undefined;
    const after = startedIn(index, endMs, endMs + holdMs);
    if (after.requests === 0) {
      if (mustFitBy === undefined && endMs >= lastStart) return i;
      continue;
    }
    if ((100 * after.ok) / after.requests >= atLeastPercent - EPSILON) return i;
  }
  return undefined;
}

/** An outage found in the ops: from the first op of a failing stretch to the answer of the op that ended it. */
export interface OpOutage {
  fromMs: number;
  /** End of the first ok op after which the service stayed up; the window's end when it never came back. */
  toMs: number;
  recovered: boolean;
  firstNotOk: OpRef;
  lastOkBefore: OpRef | null;
  firstOkAfter: OpRef | null;
}

/**
 * Outages whose first failing op starts in [fromMs, toMs). An outage starts at a failed (or unknown) op F when the
 * ops started in the `probeMs` from F's start are below `downBelowPercent` ok (a lone failure among successes is
 * not an outage), and ends at the end of the first ok op after which the ops started in the next `probeMs` are at
 * or above it again. Ops that hang through an outage and succeed afterwards end it at their answer, not their start.
 */
export function outagesFromOps(index: OpIndex, window: { fromMs: number; toMs: number }, downBelowPercent: number, probeMs = 1_000): OpOutage[] {
  const outages: OpOutage[] = [];
  const { ops } = index;
  let i = lowerBound(ops.startMs, window.fromMs);
  while (i < ops.length && ops.startMs[i]! < window.toMs) {
    if (ops.ok[i] === 1) {
      i++;
      continue;
    }
    const startMs = ops.startMs[i]!;
    const ahead = startedIn(index, startMs, startMs + probeMs);
    if ((100 * ahead.ok) / ahead.requests >= downBelowPercent - EPSILON) {
      i++;
      continue;
    }
    const back = firstStableOk(index, startMs, probeMs, downBelowPercent);
    const firstNotOk = ref(index, i);
    const lastOkBefore = lastOkEndingBy(index, startMs);
    if (back === undefined) {
      outages.push({ fromMs: startMs, toMs: Math.max(window.toMs, startMs), recovered: false, firstNotOk, lastOkBefore, firstOkAfter: null });
      break;
    }
    const endMs = ops.endMs[back]!;
    outages.push({ fromMs: startMs, toMs: endMs, recovered: true, firstNotOk, lastOkBefore, firstOkAfter: ref(index, back) });
    i = Math.max(i + 1, lowerBound(ops.startMs, endMs));
  }
  return outages;
}

/** How service came back after an anchor (a fault's injection or heal). */
export type OpRecovery =
  | { kind: "stable"; atMs: number; dipped: boolean; firstOkAfter: OpRef; firstNotOk: OpRef | null; lastOkBefore: OpRef | null }
  /** Not stable for the hold before the data ends: the time is at least `atLeastMs` (every earlier candidate failed). */
  | { kind: "never"; atLeastMs: number; firstNotOk: OpRef | null; lastOkBefore: OpRef | null }
  | { kind: "no-traffic" };

/**
 * Failover/recovery from the ops: the first ok op ending at or after `anchorMs` after which the ops started in the
 * next `stableForMs` are at least `atLeastPercent` ok, confirmed only when that hold fits before `endMs`. `dipped`
 * says whether any op failed between the anchor and then (a failed op ending after the anchor counts: its failure
 * was seen after the fault); without a dip the service never went down and the time is 0.
 */
export function recoveryFromOps(index: OpIndex, anchorMs: number, atLeastPercent: number, stableForMs: number, endMs: number): OpRecovery {
  const { ops } = index;
  if (lowerBound(index.endsSorted, anchorMs) >= ops.length) return { kind: "no-traffic" };
  const back = firstStableOk(index, anchorMs, stableForMs, atLeastPercent, endMs);
  const untilMs = back === undefined ? Infinity : ops.endMs[back]!;
  let firstNotOk: OpRef | null = null;
  for (let p = lowerBound(index.endsSorted, anchorMs); p < index.byEnd.length && index.endsSorted[p]! <= untilMs; p++) {
    const i = index.byEnd[p]!;
    if (ops.ok[i] !== 1) {
      firstNotOk = ref(index, i);
      break;
    }
  }
  const lastOkBefore = firstNotOk ? lastOkEndingBy(index, firstNotOk.startMs) : null;
  if (back === undefined) return { kind: "never", atLeastMs: Math.max(0, endMs - stableForMs - anchorMs), firstNotOk, lastOkBefore };
  return { kind: "stable", atMs: ops.endMs[back]!, dipped: firstNotOk !== null, firstOkAfter: ref(index, back), firstNotOk, lastOkBefore };
}

/** A percentile (0..100) of the durations of the ops started in [fromMs, toMs), exact; undefined without ops. */
export function durationPercentile(index: OpIndex, fromMs: number, toMs: number, percentile: number): { valueMs: number; requests: number } | undefined {
  const a = lowerBound(index.ops.startMs, fromMs);
  const b = Math.max(a, lowerBound(index.ops.startMs, toMs));
  if (b === a) return undefined;
  const durations = new Float64Array(b - a);
  for (let i = a; i < b; i++) durations[i - a] = index.ops.endMs[i]! - index.ops.startMs[i]!;
  durations.sort();
  const rank = Math.max(1, Math.ceil((percentile / 100) * durations.length));
  return { valueMs: durations[rank - 1]!, requests: durations.length };
}

/** "the last ok before ended at 20.013 s, the first failed started at 20.031 s, the first ok after ended at 30.412 s" */
export function describeBounds(bounds: { lastOkBefore?: OpRef | null; firstNotOk?: OpRef | null; firstOkAfter?: OpRef | null }): string {
  const parts: string[] = [];
  if (bounds.lastOkBefore) parts.push(`last ok before answered at ${seconds(bounds.lastOkBefore.endMs)}`);
  if (bounds.firstNotOk) parts.push(`first failed started at ${seconds(bounds.firstNotOk.startMs)}`);
  if (bounds.firstOkAfter) parts.push(`first ok after answered at ${seconds(bounds.firstOkAfter.endMs)}`);
  return parts.join(", ");
}

/** ms on the run clock as seconds with ms precision: "20.013 s". */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(3)} s`;
}
