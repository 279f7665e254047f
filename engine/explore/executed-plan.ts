import type { ShrinkPlan } from "./shrink-plan.ts";

/** What a run's report.json says a fault did (judge/report-schema.ts ReportFault), ms from traffic start. */
export interface ExecutedFault {
  id: string;
  /** When inject was called; absent in reports written before it was recorded. */
  calledAt?: number | undefined;
  /** When the fault took effect. */
  injectedAt: number;
  /** When heal was called; absent when it never healed, and in older reports. */
  healCalledAt?: number | undefined;
  /** When the heal completed (a restarted node ready again); null when it never healed. */
  healedAt: number | null;
}

export interface ExecutedPlan {
  plan: ShrinkPlan;
  /** One line per time not recorded in the run (rebuilt from the schedule, or planned): what the log says. */
  fallbacks: string[];
  /** One line per fault that ran at least 100 ms off its planned times: "gen-2-kill planned 33.7-38.7 s, ran 44.1-44.2 s". */
  drifts: string[];
  /** One line per step with a `when`: replayed at the time its condition started it, or with its condition kept. */
  triggers: string[];
}

/** A step that starts on a condition (a restore's `when`). */
function hasTrigger(template: unknown): boolean {
  return typeof template === "object" && template !== null && (template as { when?: unknown }).when !== undefined;
}

const seconds = (ms: number) => (ms / 1000).toFixed(1);

/**
 * Timer jitter, not drift: the scheduler's calls land a few ms off plan on a quiet host (1-23 ms measured), which
 * the log's 0.1 s figures cannot even show. The plan still takes the exact call times; only the "ran off plan"
 * lines leave such faults out.
 */
const DRIFT_REPORTED_FROM_MS = 100;

/**
 * The failing run's plan at the times it was executed, which is what failed: faults are injected and healed one
 * step after another (engine/runner/fault-schedule.ts), and a heal that waits for its node to be ready delays every
 * step after it, so on a loaded host a fault may come seconds after its planned time (and its heal, already due,
 * right after it). A replay at the planned times would run another schedule, one that may not fail.
 *
 * Per fault: injection at the inject call (`calledAt`), heal at the heal call (`healCalledAt`). Not `healedAt`: that
 * is when the node was ready again, and a replay's heal waits for readiness on top. A report written before the
 * calls were recorded has only effect times; the calls are then rebuilt as the scheduler made them: each step at its
 * planned time or when the step before it ended (an injection's effect, a heal's completion), whichever is later,
 * an injection never after its effect. A fault the run never injected keeps its planned times. `fallbacks` says
 * where either happened. A heal may fall inside the scenario's fault-free tail (the written scenario then gets a
 * shorter tail: `tailFor` in engine/commands/shrink.ts), never after `trafficEndMs`.
 *
 * A step that started on its condition (`when`) is replayed at the time it started, without the condition: what
 * failed is the schedule as it ran, and a replay that kept the condition would start it at another time, or (once
 * the shrink drops the fault that caused the outage) never, failing for a reason the run never had. A step whose
 * condition never held in the run keeps it and its planned times: that is what the run did.
 */
export function executedPlanOf(planned: ShrinkPlan, executed: readonly ExecutedFault[], trafficEndMs = Number.POSITIVE_INFINITY): ExecutedPlan {
  const fallbacks: string[] = [];
  const drifts: string[] = [];
  const triggers: string[] = [];
  const unconditioned = new Set<string>();
  const times = new Map(planned.faults.map((f) => [f.id, { atMs: f.atMs, healAtMs: f.healAtMs }]));
  // The scheduler's order: by planned time, a heal before an injection at the same instant.
  const steps = planned.faults
    .flatMap((fault) => [
      { fault, heal: false, plannedMs: fault.atMs },
      { fault, heal: true, plannedMs: fault.healAtMs },
    ])
    .sort((a, b) => a.plannedMs - b.plannedMs || Number(b.heal) - Number(a.heal));
  let previousEndMs = Number.NEGATIVE_INFINITY;
  for (const step of steps) {
    const { fault } = step;
    const ran = executed.find((e) => e.id === fault.id);
    const time = times.get(fault.id)!;
    if (!ran) {
      if (!step.heal) fallbacks.push(`${fault.id}: not in the run's faults (never injected): planned times ${seconds(fault.atMs)}-${seconds(fault.healAtMs)} s`);
      previousEndMs = Math.max(previousEndMs, step.plannedMs);
      continue;
    }
    const rebuiltMs = Math.max(step.plannedMs, previousEndMs);
    if (hasTrigger(fault.template) && ran.calledAt === undefined) {
      // Never started (its condition never held), or a report from before call times: the run's own plan stands.
      if (!step.heal) triggers.push(`${fault.id}: its condition never started it in the run; replayed with its condition, not before ${seconds(fault.atMs)} s`);
      previousEndMs = Math.max(previousEndMs, step.heal ? (ran.healedAt ?? step.plannedMs) : ran.injectedAt);
      continue;
    }
    if (!step.heal && hasTrigger(fault.template) && ran.calledAt !== undefined) {
      unconditioned.add(fault.id);
      triggers.push(`${fault.id}: started on its condition at ${seconds(ran.calledAt)} s (not before ${seconds(fault.atMs)} s); replayed at ${seconds(ran.calledAt)} s without it`);
    }
    if (!step.heal) {
      if (ran.calledAt !== undefined) time.atMs = Math.round(ran.calledAt);
      else {
        time.atMs = Math.round(Math.min(rebuiltMs, ran.injectedAt));
        fallbacks.push(`${fault.id}: inject call rebuilt at ${seconds(time.atMs)} s (planned ${seconds(fault.atMs)} s, effect ${seconds(ran.injectedAt)} s): the report has no inject call time`);
      }
      previousEndMs = ran.injectedAt;
      continue;
    }
    if (ran.healCalledAt !== undefined) time.healAtMs = Math.round(ran.healCalledAt);
    else {
      time.healAtMs = Math.round(Math.max(rebuiltMs, time.atMs + 1));
      const why = ran.healedAt === null ? "it never healed in the run" : "the report has no heal call time";
      fallbacks.push(`${fault.id}: heal call rebuilt at ${seconds(time.healAtMs)} s (planned ${seconds(fault.healAtMs)} s): ${why}`);
    }
    // A heal already due when its fault finally ran came right after it, as the scheduler does.
    if (time.healAtMs <= time.atMs) time.healAtMs = time.atMs + 1;
    // A heal that came after traffic had ended was the final heal: a plan heals by the end of traffic.
    if (time.healAtMs > trafficEndMs) {
      fallbacks.push(`${fault.id}: heal at ${seconds(time.healAtMs)} s is after the end of traffic: ${seconds(trafficEndMs)} s`);
      time.healAtMs = Math.max(time.atMs + 1, trafficEndMs);
    }
    previousEndMs = ran.healedAt ?? time.healAtMs;
  }
  const faults = planned.faults.map((fault) => {
    const { atMs, healAtMs } = times.get(fault.id)!;
    const driftMs = Math.max(Math.abs(atMs - fault.atMs), Math.abs(healAtMs - fault.healAtMs));
    if (driftMs >= DRIFT_REPORTED_FROM_MS) drifts.push(`${fault.id} planned ${seconds(fault.atMs)}-${seconds(fault.healAtMs)} s, ran ${seconds(atMs)}-${seconds(healAtMs)} s`);
    const template = unconditioned.has(fault.id) ? withoutTrigger(fault.template) : fault.template;
    return { ...fault, atMs, healAtMs, template };
  });
  return { plan: { faults }, fallbacks, drifts, triggers };
}

function withoutTrigger(template: unknown): unknown {
  const { when: _when, ...rest } = template as Record<string, unknown>;
  return rest;
}

/** The shrink log's opening lines about where the times come from (also printed on the console). */
export function startLines(executed: ExecutedPlan): string[] {
  const faults = executed.plan.faults.length;
  return [
    `start: the fault times the run executed (report.json faults[]), not the planned ones; ${executed.drifts.length} of ${faults} fault(s) ran off plan`,
    ...executed.drifts.map((d) => `  drift: ${d}`),
    ...executed.triggers.map((t) => `  condition: ${t}`),
    ...executed.fallbacks.map((f) => `  not recorded: ${f}`),
  ];
}
