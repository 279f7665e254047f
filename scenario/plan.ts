import { faultId, type FaultSpec } from "../faults/registry.ts";
import { createRng, type Rng } from "../core/rng.ts";
import type { RandomFaults, Scenario } from "./scenario.ts";
import { linkFaultTargets } from "../faults/fault-fields.ts";
import { selectNodes } from "../core/selector.ts";
import { generateScenarioFaults } from "./fault-generator.ts";

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
  const specs = [...scenario.faults, ...drawRandomFaults(scenario.randomFaults, rng)];
  // The generator draws from its own stream of the seed, so adding one leaves the other draws as they were.
  const generated: PlannedFault[] = scenario.faultGenerator
    ? generateScenarioFaults(scenario.faultGenerator, seed, scenario.topology.nodes).map(({ spec, targets }) => ({ id: spec.id!, kind: spec.kind, targets, atMs: spec.at, healAtMs: spec.at + spec.for!, spec }))
    : [];
  const faults = specs
    .map((spec, i): PlannedFault => ({
      id: faultId(spec, i),
      kind: spec.kind,
      // A link fault acts on the link, so it hits whatever sits behind it, not a selected node.
      targets: ("link" in spec ? linkFaultTargets(spec, scenario.topology) : undefined) ?? selectNodes(spec.target, scenario.topology.nodes, rng),
      atMs: spec.at,
      healAtMs: spec.for !== undefined ? spec.at + spec.for : Math.max(spec.at, endMs - scenario.tail),
      spec,
    }))
    .concat(generated)
    .sort((a, b) => a.atMs - b.atMs);
  return { seed, trafficEndMs: endMs, faults };
}

/** Sequential, non-overlapping faults drawn from the templates; stops when the next would not heal by `to`. */
function drawRandomFaults(random: RandomFaults | undefined, rng: Rng): FaultSpec[] {
  if (!random) return [];
  const drawn: FaultSpec[] = [];
  let cursorMs = random.from;
  for (let i = 0; i < random.count; i++) {
    const atMs = cursorMs + (i === 0 ? 0 : random.minGap) + rng.int(random.minGap + 1);
    const forMs = random.minDuration + rng.int(random.maxDuration - random.minDuration + 1);
    if (atMs + forMs > random.to) break;
    const template = random.choices[rng.int(random.choices.length)]!;
    drawn.push({ ...template, id: `random-${i}-${template.kind}`, at: atMs, for: forMs });
    cursorMs = atMs + forMs;
  }
  return drawn;
}
