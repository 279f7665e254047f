/** A fault schedule as the shrinker changes it: explicit targets and times, so a candidate is exactly reproducible. */
export interface ShrinkFault {
  id: string;
  kind: string;
  targets: string[];
  /** From traffic start. */
  atMs: number;
  healAtMs: number;
  /** The fault's own fields (e.g. the FaultSpec without id/at/for), carried through untouched. */
  template: unknown;
}

export interface ShrinkPlan {
  faults: ShrinkFault[];
}

export function durationOf(fault: Pick<ShrinkFault, "atMs" | "healAtMs">): number {
  return fault.healAtMs - fault.atMs;
}

/** Both active at some instant ([atMs, healAtMs) intervals). */
export function faultsOverlap(a: Pick<ShrinkFault, "atMs" | "healAtMs">, b: Pick<ShrinkFault, "atMs" | "healAtMs">): boolean {
  return a.atMs < b.healAtMs && b.atMs < a.healAtMs;
}

/** Identifies a candidate for the cache: what a run would do, not the template (which no move changes). */
export function planKey(plan: ShrinkPlan): string {
  return plan.faults.map((f) => `${f.id}:${f.targets.join(",")}:${f.atMs}-${f.healAtMs}`).join("|");
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}`;

/** "gen-3-kill kill [app-1] 12.0-20.0 s". */
export function describeFault(fault: ShrinkFault): string {
  return `${fault.id} ${fault.kind} [${fault.targets.join(", ")}] ${seconds(fault.atMs)}-${seconds(fault.healAtMs)} s`;
}

/** "2 faults: gen-3-kill kill [app-1] 12.0-20.0 s; gen-5-pause ...". */
export function summarizePlan(plan: ShrinkPlan): string {
  const count = `${plan.faults.length} fault${plan.faults.length === 1 ? "" : "s"}`;
  return plan.faults.length === 0 ? count : `${count}: ${plan.faults.map(describeFault).join("; ")}`;
}
