import { durationOf, faultsOverlap, type ShrinkFault, type ShrinkPlan } from "./shrink-plan.ts";

/** A candidate plan and what the log says about it. */
export interface Move {
  plan: ShrinkPlan;
  description: string;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function replaceFault(plan: ShrinkPlan, id: string, change: (fault: ShrinkFault) => ShrinkFault): ShrinkPlan {
  return { faults: plan.faults.map((f) => (f.id === id ? change(f) : f)) };
}

export function findFault(plan: ShrinkPlan, id: string): ShrinkFault | undefined {
  return plan.faults.find((f) => f.id === id);
}

/** The plan keeping only `kept` (a subset of its faults, in plan order). */
export function keepOnly(plan: ShrinkPlan, kept: readonly ShrinkFault[]): Move {
  const dropped = plan.faults.filter((f) => !kept.includes(f));
  const keptIds = kept.map((f) => f.id).join(", ") || "none";
  return { plan: { faults: [...kept] }, description: `drop ${dropped.length} of ${plan.faults.length} faults (keep ${keptIds})` };
}

/** How long `a` and `b` are active together (0 when they do not overlap). */
export function overlapMs(a: Pick<ShrinkFault, "atMs" | "healAtMs">, b: Pick<ShrinkFault, "atMs" | "healAtMs">): number {
  return Math.max(0, Math.min(a.healAtMs, b.healAtMs) - Math.max(a.atMs, b.atMs));
}

/**
 * The fault with half its duration (same start), not below `minDurationMs`, and never so short that it stops
 * overlapping a fault it overlaps now: it still covers at least `minOverlapMs` of every fault that starts while it is
 * active (or the whole overlap, when that is shorter). undefined when it cannot get shorter.
 *
 * Why the overlaps are kept: a fault's effect outlasts its heal (a killed server is down until it has started again,
 * ~2 s for trackr's app), so a shortened kill that ends just before the stop it overlapped still fails now and then,
 * by that aftermath. Accepted, it turns "these two faults overlap" into a plan whose faults never overlap on paper,
 * which hides the cause (measured live: docs/explore.md). Moving earlier keeps overlaps the same way.
 */
export function shortened(plan: ShrinkPlan, id: string, minDurationMs: number, minOverlapMs = 1): Move | undefined {
  const fault = findFault(plan, id);
  if (!fault) return undefined;
  const durationMs = durationOf(fault);
  const keepsOverlapsMs = plan.faults
    .filter((g) => g.id !== id && g.atMs >= fault.atMs && faultsOverlap(fault, g))
    .map((g) => g.atMs + Math.min(Math.max(1, minOverlapMs), overlapMs(fault, g)) - fault.atMs);
  const halfMs = Math.max(minDurationMs, Math.floor(durationMs / 2), ...keepsOverlapsMs);
  if (halfMs >= durationMs) return undefined;
  return { plan: replaceFault(plan, id, (f) => ({ ...f, healAtMs: f.atMs + halfMs })), description: `shorten ${id} ${seconds(durationMs)} -> ${seconds(halfMs)}` };
}

/**
 * The earliest start the fault may move to (same duration) while still overlapping every fault it overlaps now by
 * at least `minOverlapMs` (or the whole overlap, when that is shorter): an overlap of k ms with g needs
 * start + duration >= g's start + k. Never before `earliestMs`.
 */
export function earliestKeepingOverlaps(plan: ShrinkPlan, id: string, earliestMs: number, minOverlapMs = 1): number | undefined {
  const fault = findFault(plan, id);
  if (!fault) return undefined;
  const durationMs = durationOf(fault);
  const bounds = plan.faults
    .filter((g) => g.id !== id && faultsOverlap(fault, g))
    .map((g) => g.atMs - durationMs + Math.min(Math.max(1, minOverlapMs), overlapMs(fault, g)));
  return Math.min(fault.atMs, Math.max(earliestMs, ...bounds));
}

/** The fault moved to start at `atMs`, same duration. */
export function movedTo(plan: ShrinkPlan, id: string, atMs: number): Move | undefined {
  const fault = findFault(plan, id);
  if (!fault || atMs === fault.atMs) return undefined;
  const durationMs = durationOf(fault);
  return { plan: replaceFault(plan, id, (f) => ({ ...f, atMs, healAtMs: atMs + durationMs })), description: `move ${id} earlier ${seconds(fault.atMs)} -> ${seconds(atMs)}` };
}

/** The fault without one of its targets; undefined when it has only that one. */
export function withoutTarget(plan: ShrinkPlan, id: string, target: string): Move | undefined {
  const fault = findFault(plan, id);
  if (!fault || fault.targets.length <= 1 || !fault.targets.includes(target)) return undefined;
  const targets = fault.targets.filter((t) => t !== target);
  return { plan: replaceFault(plan, id, (f) => ({ ...f, targets })), description: `narrow ${id}: drop target ${target} (keep ${targets.join(", ")})` };
}

/** Every fault moved `byMs` earlier: overlaps among them stay exactly as they are. */
export function shiftedAll(plan: ShrinkPlan, byMs: number): Move | undefined {
  if (byMs <= 0 || plan.faults.length === 0) return undefined;
  const firstMs = Math.min(...plan.faults.map((f) => f.atMs));
  return {
    plan: { faults: plan.faults.map((f) => ({ ...f, atMs: f.atMs - byMs, healAtMs: f.healAtMs - byMs })) },
    description: `move all ${plan.faults.length} faults earlier by ${seconds(byMs)} (first at ${seconds(firstMs)} -> ${seconds(firstMs - byMs)})`,
  };
}
