import { NETFAULT_IMAGE } from "./network/sidecar.ts";
import { createRng, type Rng } from "../core/rng.ts";
import type { FaultContext, FaultHandle, FaultKind } from "./fault.ts";
import { cutEffect, cutNodes, faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { computeGroups, describeGroups, groupCutPairs, seedFromText, type ComputedGroups } from "./network/partition-groups.ts";
import { z } from "zod";
import { checkSplit } from "./network/split-checks.ts";
import { NodeName } from "../core/topology.ts";
import { scheduled, allNodes } from "./fault-fields.ts";

/** How partition groups are computed over the considered nodes, with the run's seeded Rng. */
export const PartitionMode = z.enum([
  /** Two halves; the first has floor(n/2) nodes. */
  "halves",
  /** A strict minority (ceil(n/2)-1 nodes, at least 1) against the rest. */
  "minority-majority",
  /** Two halves plus one node (the first of the second half) that stays connected to both (Jepsen's bridge). */
  "bridge",
]);

export const PartitionGroups = z.union([
  z.object({ mode: PartitionMode }).strict(),
  /** Explicit named groups, e.g. [["app-1","db"],["app-2","app-3","lb"]]. A node may be in one group only; nodes in no group are not cut. */
  z.array(z.array(NodeName).min(1)).min(2),
]);

/**
 * Split the nodes into groups: traffic between groups is dropped, inside a group allowed.
 * `target` selects the nodes considered (default: all).
 */
export const PartitionFault = z
  .object({
    kind: z.literal("partition"),
    ...scheduled,
    target: allNodes,
    /** Computed groups (`{ mode }`) or explicit ones. Default `{ mode: "halves" }`. */
    groups: PartitionGroups.default({ mode: "halves" }),
    /**
     * "both" (default): packets between any two groups are dropped both ways. "one-way": only packets from an
     * earlier group to a later one (in the listed/computed order) are dropped; note that TCP then fails both ways
     * (the handshake needs both), while one-way datagrams still arrive from the later group.
     */
    direction: z.enum(["both", "one-way"]).default("both"),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (!Array.isArray(spec.groups)) return;
    const seen = new Set<string>();
    spec.groups.flat().forEach((name) => {
      if (seen.has(name)) ctx.addIssue({ code: "custom", path: ["groups"], message: `node "${name}" is in more than one group` });
      seen.add(name);
    });
  });

export type PartitionFault = z.infer<typeof PartitionFault>;
type Spec = PartitionFault;

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
export const networkPartition: FaultKind<Spec> = {
  kind: "partition",
  schema: PartitionFault,
  effect: "down",
  sidecarImages: [NETFAULT_IMAGE],
  check: (spec, view, report, path) => checkSplit(spec, view, report, path),
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
