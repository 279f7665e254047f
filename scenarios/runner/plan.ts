import type { FaultSpec } from "../../core/fault-spec.ts";
import { createRng } from "../../core/rng.ts";
import { faultId, type Scenario } from "../../core/scenario.ts";
import { selectNodes } from "../../core/selector.ts";

export interface PlannedFault {
  id: string;
  kind: FaultSpec["kind"];
  targets: string[];
  /** Inject at, ms from traffic start. */
  atMs: number;
  /** Heal at, ms from traffic start (faults without `for` heal `tail` before traffic ends). */
  healAtMs: number;
  spec: FaultSpec;
}

/** The materialised, reproducible schedule: the same scenario and seed give the same plan. */
export interface Plan {
  seed: number;
  trafficEndMs: number;
  faults: PlannedFault[];
}

export function trafficEndMs(scenario: Scenario): number {
  return Math.max(...scenario.traffic.map((t) => t.duration));
}

export function makePlan(scenario: Scenario, seed: number): Plan {
  const rng = createRng(seed);
  const endMs = trafficEndMs(scenario);
  const faults = scenario.faults
    .map((spec, i) => ({
      id: faultId(spec, i),
      kind: spec.kind,
      targets: selectNodes(spec.target, scenario.topology.nodes, rng),
      atMs: spec.at,
      healAtMs: spec.for !== undefined ? spec.at + spec.for : Math.max(spec.at, endMs - scenario.tail),
      spec,
    }))
    .sort((a, b) => a.atMs - b.atMs);
  return { seed, trafficEndMs: endMs, faults };
}
