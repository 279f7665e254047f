import type { History } from "../../core/history.ts";
import type { SloResult } from "../../core/verdict.ts";
import { formatCount } from "../../core/format.ts";
import { resolveWindow } from "./window.ts";
import { z } from "zod";
import { sloBase } from "./slo-fields.ts";
import type { SloKind } from "../slo-kind.ts";

/**
 * Iterations the load generator could not start in time. Over the limit the verdict is unknown, never fail:
 * the system was not offered the load, so nothing is proven either way.
 */
export const DroppedIterationsSlo = z.object({ kind: z.literal("dropped-iterations"), ...sloBase, atMost: z.number().int().min(0).default(0) }).strict();
export type DroppedIterationsSloSpec = z.infer<typeof DroppedIterationsSlo>;

/**
 * Did the load generator keep up? Over the limit is unknown, never fail: the system was not offered the load the
 * scenario asked for, so the run proves nothing either way (the fix is a bigger machine or a split class).
 */
export function checkDroppedIterations(slo: DroppedIterationsSloSpec, history: History): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `<= ${formatCount(slo.atMost)} dropped`, unit: "iterations" };
  const run = resolveWindow({ kind: "run" }, history);
  const dropped = history.droppedIterations[slo.traffic];
  if (dropped === undefined) return { ...base, verdict: "unknown", observed: null, window: run.window, why: `no load-generator count for ${slo.traffic}` };
  const kept = dropped <= slo.atMost;
  const why = kept
    ? `${slo.traffic} load generator dropped ${formatCount(dropped)} iterations <= ${formatCount(slo.atMost)} allowed`
    : `${slo.traffic} load generator dropped ${formatCount(dropped)} iterations > ${formatCount(slo.atMost)} allowed: the load asked for was not offered, nothing is proven (split the class or use a bigger machine)`;
  return { ...base, verdict: kept ? "pass" : "unknown", observed: dropped, window: run.window, why };
}

export const droppedIterationsKind: SloKind<DroppedIterationsSloSpec> = {
  kind: "dropped-iterations",
  schema: DroppedIterationsSlo,
  judge: (slo, history) => checkDroppedIterations(slo, history),
};
