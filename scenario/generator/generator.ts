import { createRng, type Rng } from "../../core/rng.ts";
import { downLimitBreach, type GeneratorNode } from "./down-limits.ts";
import type { FaultGeneratorSpec } from "./generator-spec.ts";

/** What the generator needs from the project: the topology's nodes and how a template behaves. */
export interface GeneratorContext<T> {
  seed: number;
  /** In topology order: the order is part of what makes a plan reproducible. */
  nodes: readonly GeneratorNode[];
  /** Whether the fault takes its targets down (kill, stop, pause, isolate...), so they count against `limits.maxDownFraction`. */
  effect(template: T): { downs: boolean };
  /**
   * The template's targets, drawn with `rng` (selector resolution). `eligible` is `nodes` without the protected
   * roles; resolve over it so protected nodes are never picked (a draw that returns one is redrawn anyway).
   */
  resolveTargets(template: T, rng: Rng, eligible: readonly GeneratorNode[]): string[];
}

export interface GeneratedFault<T> {
  /** "gen-<index>-<kind>", index in injection order. */
  id: string;
  kind: string;
  template: T;
  targets: string[];
  /** From traffic start. */
  atMs: number;
  healAtMs: number;
  /** The template's effect takes its targets down. */
  downs: boolean;
}

/** Target draws per fault before the draw is skipped (a limit or a protected role keeps refusing them). */
export const TARGET_ATTEMPTS = 8;
/** Injection draws at most, whatever the spec: the loop ends even when every draw is skipped. */
export const MAX_DRAWS = 10_000;

/** The template's `kind` when it has one (every FaultSpec does). */
export function kindOf(template: unknown): string {
  if (typeof template === "object" && template !== null && "kind" in template && typeof template.kind === "string") return template.kind;
  return "fault";
}

/** Eligible targets: every node whose role is not protected. */
export function eligibleNodes(nodes: readonly GeneratorNode[], protectRoles: readonly string[]): GeneratorNode[] {
  return nodes.filter((n) => n.role === undefined || !protectRoles.includes(n.role));
}

/**
 * A reproducible fault schedule: the same spec, seed and nodes give the same faults. Draws happen at exponentially
 * distributed intervals (mean `staggerMs`) from `quietStartMs`; a draw is skipped when `maxConcurrent` faults are
 * already active, or when no target draw keeps within the limits, so overlaps happen exactly as far as allowed.
 * Faults come out in injection order.
 */
export function generateFaults<T>(spec: FaultGeneratorSpec<T>, ctx: GeneratorContext<T>): GeneratedFault<T>[] {
  const rng = createRng(ctx.seed);
  const eligible = eligibleNodes(ctx.nodes, spec.limits.protectRoles);
  const totalWeight = spec.mix.reduce((sum, m) => sum + m.weight, 0);
  const faults: GeneratedFault<T>[] = [];
  if (totalWeight <= 0) return faults;

  let atMs = spec.phases.quietStartMs;
  for (let draw = 0; draw < MAX_DRAWS; draw++) {
    if (spec.maxFaults !== undefined && faults.length >= spec.maxFaults) break;
    atMs += Math.round(exponentialMs(rng, spec.staggerMs));
    const longestMs = Math.min(spec.durationMs.max, spec.phases.chaosEndMs - atMs);
    // Every later draw starts later still, so none of them fits either.
    if (longestMs < spec.durationMs.min) break;
    const active = faults.filter((f) => f.atMs <= atMs && atMs < f.healAtMs);
    if (active.length >= spec.maxConcurrent) continue;

    const template = pickWeighted(spec.mix, totalWeight, rng);
    const downs = ctx.effect(template).downs;
    const downNow = new Set(active.filter((f) => f.downs).flatMap((f) => f.targets));
    // A node already under a fault of this kind (two kills, two netem qdiscs) cannot take another: the second would
    // act on nothing, and its heal would undo the first one's. A node already down takes no fault at all: a down
    // fault would act on nothing, and a network fault on a killed or stopped node has no namespace to enter, which
    // voids the run (explored live: packet loss drawn onto a killed identity server).
    const kind = kindOf(template);
    const busy = new Set([...active.filter((f) => f.kind === kind).flatMap((f) => f.targets), ...downNow]);
    const targets = drawTargets(template, downs, downNow, busy, eligible, spec, ctx, rng);
    if (targets === undefined) continue;
    const durationMs = spec.durationMs.min + rng.int(longestMs - spec.durationMs.min + 1);
    faults.push({ id: `gen-${faults.length}-${kind}`, kind, template, targets, atMs, healAtMs: atMs + durationMs, downs });
  }
  return faults;
}

/**
 * Checking only against the faults active at this injection is enough: faults are added in start order, so any two
 * active at the same instant were both active when the later one started.
 */
function drawTargets<T>(
  template: T,
  downs: boolean,
  downNow: ReadonlySet<string>,
  busy: ReadonlySet<string>,
  eligible: readonly GeneratorNode[],
  spec: FaultGeneratorSpec<T>,
  ctx: GeneratorContext<T>,
  rng: Rng,
): string[] | undefined {
  const eligibleNames = new Set(eligible.map((n) => n.name));
  for (let attempt = 0; attempt < TARGET_ATTEMPTS; attempt++) {
    const targets = [...new Set(ctx.resolveTargets(template, rng, eligible))];
    if (targets.length === 0 || targets.some((name) => !eligibleNames.has(name) || busy.has(name))) continue;
    if (downs && downLimitBreach(new Set([...downNow, ...targets]), ctx.nodes, spec.limits.maxDownFraction) !== undefined) continue;
    return targets;
  }
  return undefined;
}

function exponentialMs(rng: Rng, meanMs: number): number {
  // 1 - next() is in (0, 1], so the logarithm is finite.
  return -meanMs * Math.log(1 - rng.next());
}

function pickWeighted<T>(mix: readonly { weight: number; fault: T }[], totalWeight: number, rng: Rng): T {
  let r = rng.next() * totalWeight;
  let last: T | undefined;
  for (const entry of mix) {
    if (entry.weight <= 0) continue;
    last = entry.fault;
    if (r < entry.weight) return entry.fault;
    r -= entry.weight;
  }
  // Rounding can leave r a hair above the last weight.
  return last!;
}
