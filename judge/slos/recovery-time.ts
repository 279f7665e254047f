import { formatDuration, formatSeconds } from "../../core/duration.ts";
import type { History } from "../../core/history.ts";
import type { SloResult } from "../../core/verdict.ts";
import { droppedNote, secondPercent, secondsInWindow, type Second } from "./series.ts";
import { describeFault } from "./window.ts";
import { describeFailover, failoverAfter } from "./leader-changes.ts";
import { describeBounds, opIndex, recoveryFromOps, seconds } from "./op-window.ts";
import { z } from "zod";
import { DurationMs } from "../../core/duration.ts";
import { sloBase, sloOps, percent } from "./slo-fields.ts";
import type { SloKind } from "../slo-kind.ts";

/**
 * Failover or recovery time of one fault, in ms: from its injection (`from: "inject"`, failover) or its heal
 * (`from: "heal"`, recovery) to the answer of the first ok op after which the ops started in the next `stableFor`
 * stay at `atLeastPercent` ok; 0 when no op failed. With `ops: "writes"`, the time until writes are acknowledged
 * again (a new leader). Histories without an op trace fall back to whole seconds.
 */
export const RecoveryTimeSlo = z
  .object({
    kind: z.literal("recovery-time"),
    ...sloBase,
    ops: sloOps,
    fault: z.string().min(1),
    from: z.enum(["inject", "heal"]).default("inject"),
    atMost: DurationMs,
    atLeastPercent: percent.default(99),
    stableFor: DurationMs.default(5_000),
  })
  .strict();
export type RecoveryTimeSloSpec = z.infer<typeof RecoveryTimeSlo>;

/**
 * Start (ms) of the first second at or after the anchor's second from which `stableSeconds` consecutive
 * seconds with traffic are all at target; seconds without traffic are skipped (they prove nothing either way).
 * undefined when no such stretch exists before the data ends.
 */
export function stableFromMs(seconds: readonly Second[], anchorMs: number, atLeastPercent: number, stableSeconds: number): number | undefined {
  let runStart: number | undefined;
  let runLength = 0;
  for (const s of seconds) {
    if (s.second < Math.floor(anchorMs / 1000)) continue;
    if (secondPercent(s) >= atLeastPercent - 1e-9) {
      runStart ??= s.second * 1000;
      runLength++;
      if (runLength >= stableSeconds) return runStart;
    } else {
      runStart = undefined;
      runLength = 0;
    }
  }
  return undefined;
}

/**
 * Failover (from injection) or recovery (from heal) time of one fault, in ms from the ops (op-window.ts): the anchor
 * to the answer of the first ok op after which the ops started in the next `stableFor` stay at target; 0 when no op
 * failed. Unknown when the fault never ran, never healed (for `from: "heal"`), or had no traffic after the anchor;
 * never stable before the data ends is a fail once the lower bound exceeds the target. Histories without an op
 * trace fall back to whole seconds.
 */
export function checkRecoveryTime(slo: RecoveryTimeSloSpec, history: History): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `<= ${formatSeconds(slo.atMost)}`, unit: "ms" };
  const unknown = (why: string): SloResult => ({ ...base, verdict: "unknown", observed: null, window: null, why });
  const fault = history.faults.find((f) => f.id === slo.fault);
  if (!fault) return unknown(`fault "${slo.fault}" never ran, so there is nothing to recover from`);
  const what = describeFault(fault);
  const anchorMs = slo.from === "inject" ? fault.injectedAtMs : fault.healedAtMs;
  if (anchorMs === null) return unknown(`${what} never healed, so recovery from its heal cannot be measured`);
  const event = slo.from === "inject" ? "injection" : "heal";
  const window = { label: `after ${event} of ${what} (${formatSeconds(anchorMs)} to ${formatSeconds(history.trafficEndMs)})`, fromMs: anchorMs, toMs: history.trafficEndMs };
  const index = opIndex(history, slo.traffic, slo.ops);
  if (!index) {
    if (slo.ops !== "all") return { ...base, verdict: "unknown", observed: null, window, why: `this history has no op trace, so ${slo.ops} of ${slo.traffic} cannot be told apart (re-run the scenario)` };
    return bySeconds(slo, history, anchorMs, event, what, window);
  }
  const traffic = slo.ops === "all" ? slo.traffic : `${slo.traffic} ${slo.ops}`;
  const rule = `${traffic} at >= ${slo.atLeastPercent}% for ${formatSeconds(slo.stableFor)}`;
  const recovery = recoveryFromOps(index, anchorMs, slo.atLeastPercent, slo.stableFor, history.trafficEndMs);
  const name = slo.from === "inject" ? "failover" : "recovery";
  if (recovery.kind === "no-traffic") return { ...base, verdict: "unknown", observed: null, window, why: `no ${traffic} op answered after ${event} of ${what}` };
  if (recovery.kind === "never") {
    const bounds = { lastOkBefore: recovery.lastOkBefore, firstNotOk: recovery.firstNotOk, firstOkAfter: null };
    const verdict = recovery.atLeastMs > slo.atMost ? "fail" : "unknown";
    const why = `${traffic} never reached ${rule} in the data after ${event} of ${what} (at least ${seconds(recovery.atLeastMs)}; ${describeBounds(bounds)})`;
    return { ...base, verdict, observed: Math.round(recovery.atLeastMs), window, why, bounds };
  }
  const observed = recovery.dipped ? Math.round(recovery.atMs - anchorMs) : 0;
  const bounds = { lastOkBefore: recovery.lastOkBefore, firstNotOk: recovery.firstNotOk, firstOkAfter: recovery.firstOkAfter };
  const meets = observed <= slo.atMost;
  const failover = slo.from === "inject" ? failoverAfter(history, anchorMs) : undefined;
  const how = (recovery.dipped ? describeBounds(bounds) : "no op failed") + (failover ? `; ${describeFailover(failover, anchorMs)}` : "");
  const why = `${traffic} ${name} ${seconds(observed)} after ${event} of ${what} at ${seconds(anchorMs)} ${meets ? "<=" : ">"} ${formatSeconds(slo.atMost)} (${rule} from ${seconds(recovery.atMs)}; ${how})`;
  if (!meets) return { ...base, verdict: "fail", observed, window, why, bounds };
  const dropped = droppedNote(history, slo.traffic, window);
  if (dropped) return { ...base, verdict: "unknown", observed, window, why: `${dropped}: ${why}`, bounds };
  return { ...base, verdict: "pass", observed, window, why, bounds };
}

/** The same judgement at 1 s resolution, for histories saved before the op trace existed. */
function bySeconds(slo: RecoveryTimeSloSpec, history: History, anchorMs: number, event: string, what: string, window: { label: string; fromMs: number; toMs: number }): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `<= ${formatSeconds(slo.atMost)}`, unit: "ms" };
  const stableSeconds = Math.ceil(slo.stableFor / 1000);
  const seconds = secondsInWindow(history.timeline, slo.traffic, { fromMs: Math.floor(anchorMs / 1000) * 1000, toMs: history.trafficEndMs });
  const stableMs = stableFromMs(seconds, anchorMs, slo.atLeastPercent, stableSeconds);
  const rule = `${slo.traffic} at >= ${slo.atLeastPercent}% for ${formatSeconds(stableSeconds * 1000)}`;
  if (stableMs === undefined) {
    const boundMs = Math.max(0, history.trafficEndMs - anchorMs);
    if (seconds.length < stableSeconds) {
      return { ...base, verdict: "unknown", observed: null, window, why: `only ${seconds.length} s of ${slo.traffic} traffic after ${event} of ${what}; need ${stableSeconds} s to see ${rule}` };
    }
    const verdict = boundMs > slo.atMost ? "fail" : "unknown";
    return { ...base, verdict, observed: boundMs, window, why: `${slo.traffic} never reached ${rule} in the ${formatSeconds(boundMs)} after ${event} of ${what} (at least ${formatSeconds(boundMs)}; 1 s resolution: no op trace)` };
  }
  const observed = Math.max(0, stableMs - anchorMs);
  const meets = observed <= slo.atMost;
  const why = `${slo.traffic} ${slo.from === "inject" ? "failover" : "recovery"} ${formatSeconds(observed)} after ${event} of ${what} ${meets ? "<=" : ">"} ${formatSeconds(slo.atMost)} (${rule} from ${formatSeconds(stableMs)}; 1 s resolution: no op trace)`;
  if (!meets) return { ...base, verdict: "fail", observed, window, why };
  const dropped = droppedNote(history, slo.traffic, window);
  if (dropped) return { ...base, verdict: "unknown", observed, window, why: `${dropped}: ${why}` };
  return { ...base, verdict: "pass", observed, window, why };
}

export const recoveryTimeKind: SloKind<RecoveryTimeSloSpec> = {
  kind: "recovery-time",
  schema: RecoveryTimeSlo,
  validate(slo, view, report, path) {
    if (view.faults && !view.faults.has(slo.fault)) report([...path, "fault"], view.faults.unknown(slo.fault));
    if (slo.stableFor < 200) report([...path, "stableFor"], `expected at least 200ms, got ${formatDuration(slo.stableFor)}: a shorter hold proves nothing about staying up`);
    const traffic = view.trafficClass(slo.traffic);
    const fault = view.plannedFault(slo.fault);
    if (!traffic || !fault) return;
    const anchorMs = slo.from === "inject" ? fault.atMs : fault.healMs;
    if (anchorMs + slo.stableFor > traffic.durationMs)
      report(
        [...path, "stableFor"],
        `recovery from the ${slo.from === "inject" ? "injection" : "heal"} of "${slo.fault}" (at ${formatDuration(anchorMs)}) needs ${formatDuration(slo.stableFor)} (stableFor) of "${slo.traffic}" traffic after it, which ends at ${formatDuration(traffic.durationMs)}; the SLO could only be unknown or fail`,
      );
  },
  judge: (slo, history) => checkRecoveryTime(slo, history),
};
