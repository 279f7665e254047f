import { formatSeconds } from "../../core/duration.ts";
import type { FaultRecord, History } from "../../core/history.ts";
import type { SloWindow } from "../slo-kinds.ts";
import type { SloResult } from "../../core/verdict.ts";

/** A window on the run's clock: [fromMs, toMs) in ms from traffic start, with a label for reports. */
export type ResolvedWindow = NonNullable<SloResult["window"]>;

/** The resolved window, or why there is none (then the SLO is unknown, never pass). */
export type WindowResolution = { window: ResolvedWindow } | { window: null; why: string };

/** "kill app-2", "pause app-1, app-3": what a reader recognises, the id is in the faults table. */
export function describeFault(fault: Pick<FaultRecord, "kind" | "targets">): string {
  return fault.targets.length === 0 ? fault.kind : `${fault.kind} ${fault.targets.join(", ")}`;
}

function span(fromMs: number, toMs: number, note = ""): string {
  return `(${formatSeconds(fromMs)} to ${formatSeconds(toMs)}${note})`;
}

/**
 * Resolves an SLO window against what actually happened (the FaultRecord, not the plan: a fault injected late
 * is judged where it really was):
 * - run: [0, trafficEndMs)
 * - fault before: [0, the whole second at or before the inject call); during: [injectedAtMs, healedAtMs ?? trafficEndMs);
 *   after: [healedAtMs, trafficEndMs). "Before" must hold no moment the fault may have acted in: the second holding
 *   the call is left out (at 1 s resolution it would otherwise count as before, see secondsInWindow), and so is the
 *   time between the call and the verified effect (a partition's rules go in node by node over about a second).
 * - interval: [from, to) as written in the scenario.
 * A fault that never ran, or an "after" window of a fault that never healed, has no window.
 */
export function resolveWindow(window: SloWindow, history: Pick<History, "faults" | "trafficEndMs">): WindowResolution {
  const endMs = history.trafficEndMs;
  switch (window.kind) {
    case "run":
      return { window: { label: `over the run ${span(0, endMs)}`, fromMs: 0, toMs: endMs } };
    case "interval":
      return { window: { label: `in interval ${span(window.from, window.to)}`, fromMs: window.from, toMs: window.to } };
    case "fault": {
      const fault = history.faults.find((f) => f.id === window.fault);
      if (!fault) return { window: null, why: `fault "${window.fault}" never ran, so its ${window.phase} window does not exist` };
      const what = describeFault(fault);
      if (window.phase === "before") {
        const toMs = Math.floor((fault.calledAtMs ?? fault.injectedAtMs) / 1000) * 1000;
        return { window: { label: `before ${what} ${span(0, toMs)}`, fromMs: 0, toMs } };
      }
      if (window.phase === "during") {
        const toMs = fault.healedAtMs ?? endMs;
        const note = fault.healedAtMs === null ? ", never healed" : "";
        return { window: { label: `during ${what} ${span(fault.injectedAtMs, toMs, note)}`, fromMs: fault.injectedAtMs, toMs } };
      }
      if (fault.healedAtMs === null) return { window: null, why: `fault "${fault.id}" (${what}) never healed, so it has no after window` };
      return { window: { label: `after ${what} ${span(fault.healedAtMs, endMs)}`, fromMs: fault.healedAtMs, toMs: endMs } };
    }
  }
}
