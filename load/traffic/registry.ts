import { z } from "zod";
import { BrowserClass, browserKind } from "./browser.ts";
import type { TrafficTarget } from "./common.ts";
import { K6Class, k6Kind } from "./k6.ts";
import type { TrafficKind } from "./traffic-kind.ts";
import { WorkloadClass, workloadKind } from "./workload.ts";

/**
 * Every traffic kind a scenario may name, by its `script`. A kind is one file of load/traffic/ exporting a
 * TrafficKind; adding one is that file plus a line in each list below (docs/ARCHITECTURE.md, "Adding a traffic kind").
 */
export const TrafficClass = z.discriminatedUnion("script", [K6Class, BrowserClass, WorkloadClass]);
export type TrafficClass = z.infer<typeof TrafficClass>;
export type TrafficClassInput = z.input<typeof TrafficClass>;

const kinds: { [S in TrafficClass["script"]]: TrafficKind<Extract<TrafficClass, { script: S }>> } = { k6: k6Kind, browser: browserKind, workload: workloadKind };

/** The kind named by `script` (unvalidated scenario data), or undefined for an unknown one. */
export function trafficKindNamed(script: unknown): TrafficKind | undefined {
  return typeof script === "string" && Object.hasOwn(kinds, script) ? (kinds[script as TrafficClass["script"]] as unknown as TrafficKind) : undefined;
}

/** The kind of a class (its schema, targets, files, prepare and launch). */
export function trafficKind(c: TrafficClass): TrafficKind<TrafficClass> {
  return kinds[c.script] as unknown as TrafficKind<TrafficClass>;
}

/** Where a class sends its requests: its one target, or its servers in the order the clients hold them. */
export function trafficTargets(c: TrafficClass): TrafficTarget[] {
  return trafficKind(c).targets(c);
}
