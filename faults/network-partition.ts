import type { z } from "zod";
import type { PartitionFault } from "../core/fault-specs/network.ts";
import { createRng, type Rng } from "../core/rng.ts";
import type { FaultContext, FaultHandle, FaultKindImpl } from "./fault.ts";
import { cutEffect, cutNodes, faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { computeGroups, describeGroups, groupCutPairs, seedFromText, type ComputedGroups } from "./network/partition-groups.ts";

type Spec = z.infer<typeof PartitionFault>;

/** A fault context that may carry the run's seeded Rng (for computed partition groups). */
export type NetworkFaultContext = FaultContext & { rng?: Rng };

/**
 * The groups a partition cuts between. Explicit groups are used as given; computed ones (`{ mode }`) are drawn
 * over `targets` with `rng`. The planner can call this with the run's Rng to put the groups into the Plan.
 */
export function partitionGroups(spec: Pick<Spec, "groups">, targets: readonly string[], rng: Rng): ComputedGroups {
  if (Array.isArray(spec.groups)) return { groups: spec.groups.map((g) => [...g]), bridges: [] };
  return computeGroups(spec.groups.mode, targets, rng);
}

/**
 * Partitions nodes into groups; packets between groups are dropped (both ways, or only from an earlier group to a
 * later one with direction "one-way"). Every node in a cut pair gets the rules in its own namespace, so each pair
 * is enforced at both ends: a restarted node is still cut by its peers while its own rules are re-applied.
 */
export const networkPartition: FaultKindImpl<Spec> = {
  kind: "partition",
  async inject(ctx: NetworkFaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const key = faultKey(spec);
    const notes: string[] = [];
    let rng = ctx.rng;
    if (!rng && !Array.isArray(spec.groups)) {
      rng = createRng(seedFromText(`${key}:${targets.join(",")}`));
      notes.push(`no run Rng in the fault context: groups drawn with seed ${rng.seed} derived from the fault id and nodes`);
    }
    const { groups, bridges } = partitionGroups(spec, targets, rng ?? createRng(0));
    requireNodes(ctx, groups.flat(), "partition");
    const pairs = groupCutPairs(groups, spec.direction);
    if (pairs.length === 0) throw new Error(`partition: groups ${describeGroups(groups, bridges)} cut nothing`);
    notes.push(`groups ${describeGroups(groups, bridges)}, ${spec.direction === "both" ? "cut both ways" : "one-way: earlier group -> later group dropped"}`);
    const nodes = cutNodes(pairs);
    return injectNetnsFault(ctx, {
      key,
      mechanism: `nft drop in every partitioned node's namespace, ${spec.direction}`,
      nodes,
      peers: nodes,
      effect: cutEffect(pairs),
      probe: pairs[0]!,
      notes,
    });
  },
};
