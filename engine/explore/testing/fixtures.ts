import { z } from "zod";
import { DurationMs } from "../../../core/duration.ts";
import { type GeneratorContext, generateFaults, type GeneratedFault } from "../../../scenario/generator/generator.ts";
import { faultGeneratorSchema, type FaultGeneratorSpec } from "../../../scenario/generator/generator-spec.ts";
import type { RunSummary } from "../explore.ts";
import type { ShrinkPlan } from "../shrink-plan.ts";
import type { SimulatedSystem } from "./simulated-system.ts";
import { TEST_NODES, testEffect, testResolveTargets, type TestTemplate } from "./simulated-topology.ts";

/** A scheduled fault as a test scenario writes it, shaped like the project's FaultSpec members. */
export const TestFaultSchema = z
  .object({
    kind: z.enum(["kill", "stop", "pause", "isolate", "delay", "loss", "clock-skew"]),
    id: z.string().optional(),
    target: z
      .object({
        names: z.array(z.string().min(1)).min(1).optional(),
        role: z.string().min(1).optional(),
        mode: z.enum(["one", "all", "majority", "minority"]).optional(),
      })
      .strict(),
    at: DurationMs,
    for: DurationMs.optional(),
  })
  .strict();

export const testGeneratorSchema = faultGeneratorSchema(TestFaultSchema);

export function parseSpec(input: unknown): FaultGeneratorSpec<TestTemplate> {
  return testGeneratorSchema.parse(input);
}

export function testContext(seed: number, nodes = TEST_NODES): GeneratorContext<TestTemplate> {
  return { seed, nodes, effect: testEffect, resolveTargets: testResolveTargets };
}

export function generate(spec: FaultGeneratorSpec<TestTemplate>, seed: number, nodes = TEST_NODES): GeneratedFault<TestTemplate>[] {
  return generateFaults(spec, testContext(seed, nodes));
}

export function toShrinkPlan(faults: readonly GeneratedFault<TestTemplate>[]): ShrinkPlan {
  return { faults: faults.map((f) => ({ id: f.id, kind: f.kind, targets: [...f.targets], atMs: f.atMs, healAtMs: f.healAtMs, template: f.template })) };
}

/** A run of the simulated system for explore: the seed's generated plan, judged, taking `wallMs` of fake time. */
export function simulatedRunOne(spec: FaultGeneratorSpec<TestTemplate>, system: SimulatedSystem, clock: { advance(ms: number): void }, wallMs: number) {
  return async (seed: number): Promise<RunSummary> => {
    const faults = generate(spec, seed);
    const outcome = system.run(faults, seed);
    clock.advance(wallMs);
    return {
      seed,
      verdict: outcome.failed ? "fail" : "pass",
      failedSlos: outcome.failedSlos,
      faultKinds: faults.map((f) => f.kind),
      runDir: `havoc-results/runs/explore-${seed}`,
      wallMs,
    };
  };
}

/** Faults active at once, at most (checked at every start: the count only rises there). */
export function maxActive(faults: readonly { atMs: number; healAtMs: number }[]): number {
  return Math.max(0, ...faults.map((f) => faults.filter((g) => g.atMs <= f.atMs && f.atMs < g.healAtMs).length));
}
