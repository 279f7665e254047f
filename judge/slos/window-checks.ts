import { formatDuration } from "../../core/duration.ts";
import type { Report, ScenarioView } from "../../core/scenario-view.ts";
import type { SloWindow } from "./slo-fields.ts";

interface PlannedWindow {
  label: string;
  fromMs: number;
  toMs: number;
  why?: string;
}

const span = (w: PlannedWindow) => `${formatDuration(w.fromMs)} to ${formatDuration(w.toMs)}`;

/** An SLO window on the plan's times (window.ts resolves the same on what really happened). */
function plannedWindow(window: SloWindow, view: ScenarioView, endMs: number, tailMs: number): PlannedWindow | undefined {
  if (window.kind === "run") return { label: "the run window", fromMs: 0, toMs: endMs };
  if (window.kind === "interval") return { label: "the interval window", fromMs: window.from, toMs: window.to };
  const fault = view.plannedFault(window.fault);
  if (!fault) return undefined;
  const label = `the ${window.phase} window of fault "${window.fault}"`;
  if (window.phase === "before")
    return { label, fromMs: 0, toMs: Math.floor(fault.atMs / 1000) * 1000, why: `the fault is injected at ${formatDuration(fault.atMs)}, and "before" ends at the whole second before the injection` };
  if (window.phase === "during") return { label, fromMs: fault.atMs, toMs: fault.healMs, why: `the fault heals as it is injected` };
  return { label, fromMs: fault.healMs, toMs: endMs, why: `the fault heals at ${formatDuration(fault.healMs)}, when traffic ends (tail ${formatDuration(tailMs)})` };
}

/**
 * A windowed SLO's window names a known fault, is not empty, and holds some of its class's traffic: otherwise the SLO
 * could only ever be unknown (a "before" window of a fault injected in the first second, an "after" window of a
 * fault healed when traffic ends). Judged on the plan's times.
 */
export function checkSloWindow(slo: { traffic: string; window: SloWindow }, view: ScenarioView, report: Report, path: (string | number)[]): void {
  const written = slo.window;
  if (written.kind === "fault" && view.faults && !view.faults.has(written.fault)) report([...path, "window", "fault"], view.faults.unknown(written.fault));
  if (written.kind === "interval" && written.from >= written.to) return report([...path, "window"], "interval window needs from < to");
  const traffic = view.trafficClass(slo.traffic);
  if (view.trafficEndMs === undefined || view.tailMs === undefined || !traffic) return;
  const window = plannedWindow(written, view, view.trafficEndMs, view.tailMs);
  if (!window) return;
  if (window.toMs <= window.fromMs) report([...path, "window"], `${window.label} is empty (${span(window)})${window.why ? `: ${window.why}` : ""}; the SLO could only be unknown`);
  else if (window.fromMs >= traffic.durationMs)
    report([...path, "window"], `${window.label} (${span(window)}) starts after traffic "${slo.traffic}" ends (${formatDuration(traffic.durationMs)}): it holds none of its traffic, so the SLO could only be unknown`);
}
