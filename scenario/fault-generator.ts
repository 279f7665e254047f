import { z } from "zod";
import { selectNodes, type SelectableNode } from "../core/selector.ts";
import type { Rng } from "../core/rng.ts";
import { faultKind, FaultSpec } from "../faults/registry.ts";
import { faultGeneratorSchema, type FaultGeneratorSpec, type Unscheduled } from "./generator/generator-spec.ts";
import { generateFaults, type GeneratorContext } from "./generator/generator.ts";
import { validateGenerator, type GeneratorIssue } from "./generator/validate-generator.ts";

/** A fault template in a generator's mix: a scheduled fault without `id`, `at` and `for` (the generator draws them). */
export type FaultTemplate = Unscheduled<FaultSpec>;

/**
 * `faultGenerator` in a scenario: a seeded schedule drawn from a weighted mix of fault templates, at exponentially
 * distributed intervals (mean `staggerMs`), up to `maxConcurrent` faults at once, inside the chaos phase and the down
 * limits (engine/explore/generator-spec.ts). Materialised into the plan (and report.json) before the run.
 */
export const FaultGenerator = faultGeneratorSchema(FaultSpec);
export type FaultGenerator = FaultGeneratorSpec<FaultTemplate>;
export type FaultGeneratorInput = z.input<typeof FaultGenerator>;

/** How a FaultSpec template behaves for the generator: down-effect kinds count against the limits; targets come from its selector. */
export function faultGeneratorContext(seed: number, nodes: readonly SelectableNode[]): GeneratorContext<FaultTemplate> {
  return {
    seed,
    nodes,
    effect: (template) => ({ downs: faultKind(template as FaultSpec).effect === "down" }),
    resolveTargets: (template: FaultTemplate, rng: Rng, eligible: readonly SelectableNode[]) => selectNodes((template as FaultSpec).target, eligible, rng),
  };
}

/** The generator's faults as scheduled FaultSpecs ("gen-<i>-<kind>"), with their targets drawn. */
export function generateScenarioFaults(spec: FaultGenerator, seed: number, nodes: readonly SelectableNode[]): { spec: FaultSpec; targets: string[] }[] {
  return generateFaults(spec, faultGeneratorContext(seed, nodes)).map((f) => ({
    spec: { ...(f.template as FaultSpec), id: f.id, at: f.atMs, for: f.healAtMs - f.atMs } as FaultSpec,
    targets: f.targets,
  }));
}

/** What the generator could never satisfy on these nodes (each issue's path is inside `faultGenerator`). */
export function faultGeneratorIssues(spec: FaultGenerator, nodes: readonly SelectableNode[]): GeneratorIssue[] {
  return validateGenerator(spec, nodes, faultGeneratorContext(0, nodes));
}
