import { z } from "zod";
import { boundedDuration, formatDuration } from "../core/duration.ts";
import { errorConditionFields } from "../core/error-condition.ts";
import type { ScenarioView } from "../core/scenario-view.ts";

/**
 * What starts a step on a condition (`when`): an error condition on the traffic, the same fields and judgement as a
 * safety stop (core/error-condition.ts), and how long to wait for it.
 */
export const StepCondition = z
  .object({
    ...errorConditionFields,
    /** How long after `at` the condition may take to hold; past it the step fails (the system's failure). */
    within: boundedDuration({ minMs: 1_000 }),
  })
  .strict();
export type StepCondition = z.infer<typeof StepCondition>;

/**
 * What the scenario must hold for a step's `when`: a known traffic class, and a wait that ends before the fault-free
 * tail (a step still waiting then could never finish in time to be judged). Returns [field under `when`, message].
 */
export function stepConditionProblems(step: { at: number; when: StepCondition }, view: Pick<ScenarioView, "traffic" | "trafficEndMs" | "tailMs">): [string, string][] {
  const problems: [string, string][] = [];
  const { when } = step;
  if (when.traffic !== undefined && view.traffic && !view.traffic.has(when.traffic)) problems.push(["traffic", view.traffic.unknown(when.traffic)]);
  if (view.trafficEndMs !== undefined && view.tailMs !== undefined) {
    const by = view.trafficEndMs - view.tailMs;
    if (step.at + when.within > by)
      problems.push([
        "within",
        `the step waits until ${formatDuration(step.at + when.within)} (at ${formatDuration(step.at)} + within ${formatDuration(when.within)}), after ${formatDuration(by)}, the end of traffic (${formatDuration(view.trafficEndMs)}) minus the fault-free tail (${formatDuration(view.tailMs)}): give within at most ${formatDuration(Math.max(0, by - step.at))}, or make the traffic longer`,
      ]);
  }
  return problems;
}
