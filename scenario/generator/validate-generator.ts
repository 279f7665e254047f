import { createRng } from "../../core/rng.ts";
import { allowedDown, downLimitBreach, limitGroups, type GeneratorNode } from "./down-limits.ts";
import { eligibleNodes, kindOf, type GeneratorContext } from "./generator.ts";
import type { FaultGeneratorSpec } from "./generator-spec.ts";

export interface GeneratorIssue {
  /** Path into the generator spec, e.g. ["mix", 1, "fault", "target"]. */
  path: (string | number)[];
  message: string;
}

/** Target draws sampled per template: selectors pick at random, so one draw could miss what another finds. */
const SAMPLES = 16;

/**
 * What the generator could never satisfy on these nodes, found before anything starts. Empty means the spec is
 * usable; each issue names the field to change. `ctx` supplies the same hooks as generateFaults (its seed is unused).
 */
export function validateGenerator<T>(spec: FaultGeneratorSpec<T>, nodes: readonly GeneratorNode[], ctx: Pick<GeneratorContext<T>, "effect" | "resolveTargets">): GeneratorIssue[] {
  const issues: GeneratorIssue[] = [];
  const limit = spec.limits.maxDownFraction;
  const roles = [...new Set(nodes.flatMap((n) => (n.role === undefined ? [] : [n.role])))];
  const eligible = eligibleNodes(nodes, spec.limits.protectRoles);

  if (spec.mix.every((m) => m.weight <= 0)) issues.push({ path: ["mix"], message: "every weight is 0, so no fault would ever be drawn; give at least one template a weight above 0" });

  const chaosMs = spec.phases.chaosEndMs - spec.phases.quietStartMs;
  if (chaosMs < spec.durationMs.min) {
    issues.push({
      path: ["phases", "chaosEndMs"],
      message: `the chaos phase (quietStartMs ${spec.phases.quietStartMs} to chaosEndMs ${spec.phases.chaosEndMs}) lasts ${chaosMs} ms, shorter than durationMs.min ${spec.durationMs.min} ms, so no fault fits; end it later or shorten durationMs.min`,
    });
  }

  spec.limits.protectRoles.forEach((role, i) => {
    if (!roles.includes(role)) issues.push({ path: ["limits", "protectRoles", i], message: `no node has role "${role}", so it protects nothing (roles: ${roles.join(", ") || "none"})` });
  });

  /** Per down template: the nodes it can reach and the fewest it takes. */
  const downTemplates: { reach: Set<string>; fewest: number }[] = [];
  let anyUsableNonDown = false;
  spec.mix.forEach((entry, i) => {
    const path = ["mix", i, "fault", "target"];
    const label = `template ${i} (${kindOf(entry.fault)})`;
    const overAll = sampleTargets(entry.fault, nodes, ctx, i);
    const overEligible = sampleTargets(entry.fault, eligible, ctx, i).filter((t) => t.length > 0 && t.every((name) => eligible.some((n) => n.name === name)));
    if (overAll.every((t) => t.length === 0)) {
      issues.push({ path, message: `${label} matches no node (nodes: ${nodes.map(describeNode).join(", ")})` });
      return;
    }
    if (overEligible.length === 0) {
      issues.push({ path, message: `${label} matches only protected nodes (limits.protectRoles: ${spec.limits.protectRoles.join(", ")}), so it can never be drawn` });
      return;
    }
    if (!ctx.effect(entry.fault).downs) {
      if (entry.weight > 0) anyUsableNonDown = true;
      return;
    }
    const fitting = overEligible.filter((t) => downLimitBreach(new Set(t), nodes, limit) === undefined);
    if (fitting.length === 0) {
      const breach = downLimitBreach(new Set(overEligible[0]), nodes, limit);
      issues.push({ path, message: `${label} takes its targets down and would put ${breach} under limits.maxDownFraction ${JSON.stringify(limit)}, so it can never be drawn` });
      return;
    }
    if (entry.weight > 0) downTemplates.push({ reach: new Set(fitting.flat()), fewest: Math.min(...fitting.map((t) => t.length)) });
  });

  if (limit !== undefined && !anyUsableNonDown && downTemplates.length > 0 && spec.maxConcurrent > 1) {
    const capacity = downFaultCapacity(downTemplates, nodes, limit);
    if (spec.maxConcurrent > capacity.faults) {
      issues.push({
        path: ["maxConcurrent"],
        message:
          `maxConcurrent ${spec.maxConcurrent} cannot be reached: every fault in mix takes its targets down, and limits.maxDownFraction ${JSON.stringify(limit)} ` +
          `lets at most ${capacity.nodes} of the nodes they can reach be down at once (${capacity.detail}), so at most ${capacity.faults} fault(s) at a time; ` +
          `lower maxConcurrent to ${Math.max(1, capacity.faults)}, add a fault that takes nothing down, or relax the limit`,
      });
    }
  }
  return issues;
}

function sampleTargets<T>(template: T, pool: readonly GeneratorNode[], ctx: Pick<GeneratorContext<T>, "resolveTargets">, index: number): string[][] {
  if (pool.length === 0) return [[]];
  return Array.from({ length: SAMPLES }, (_, k) => {
    try {
      return [...new Set(ctx.resolveTargets(template, createRng(index * 7919 + k), pool))];
    } catch {
      // A selector that cannot resolve over this pool matches nothing in it.
      return [];
    }
  });
}

/** How many down nodes (and so down faults of the fewest targets) the limit allows at once among the reachable nodes. */
function downFaultCapacity(templates: readonly { reach: Set<string>; fewest: number }[], nodes: readonly GeneratorNode[], limit: "minority" | number): { nodes: number; faults: number; detail: string } {
  const reach = new Set(templates.flatMap((t) => [...t.reach]));
  const [topology, ...roleGroups] = limitGroups(nodes);
  const parts: string[] = [];
  let byRole = 0;
  for (const node of nodes) if (reach.has(node.name) && node.role === undefined) byRole += 1;
  for (const group of roleGroups) {
    const reachable = group.members.filter((name) => reach.has(name)).length;
    if (reachable === 0) continue;
    const allowed = Math.min(reachable, allowedDown(limit, group.members.length));
    byRole += allowed;
    parts.push(`${allowed} of ${group.label}'s ${group.members.length}`);
  }
  const overall = allowedDown(limit, topology!.members.length);
  parts.push(`${overall} of the topology's ${topology!.members.length}`);
  const capacityNodes = Math.min(byRole, overall);
  const fewest = Math.min(...templates.map((t) => t.fewest));
  return { nodes: capacityNodes, faults: Math.floor(capacityNodes / fewest), detail: parts.join(", ") };
}

function describeNode(node: GeneratorNode): string {
  return node.role === undefined ? node.name : `${node.name} (${node.role})`;
}
