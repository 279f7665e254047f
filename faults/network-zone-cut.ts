import { NETFAULT_IMAGE } from "./network/sidecar.ts";
import type { FaultContext, FaultHandle, FaultKind } from "./fault.ts";
import { cutEffect, cutNodes, faultKey, injectNetnsFault } from "./network/netns-fault.ts";
import { groupCutPairs } from "./network/partition-groups.ts";
import { z } from "zod";
import { Names } from "../core/names.ts";
import { checkSplit } from "./network/split-checks.ts";
import { NodeName } from "../core/topology.ts";
import { scheduled, allNodes } from "./fault-fields.ts";

/**
 * Cut between two zones (topology networks): nodes whose `networks` list zone A but not B are cut from nodes
 * listing B but not A, on all their addresses, both directions. Nodes on both zones are bridges and stay
 * connected; nodes on neither are untouched. `target` selects the nodes considered (default: all).
 */
export const ZoneCutFault = z
  .object({
    kind: z.literal("zone-cut"),
    ...scheduled,
    target: allNodes,
    /** The two topology network names, e.g. ["zone-a", "zone-b"]. */
    zones: z.tuple([NodeName, NodeName]).refine(([a, b]) => a !== b, "the two zones must differ"),
  })
  .strict();

export type ZoneCutFault = z.infer<typeof ZoneCutFault>;
type Spec = ZoneCutFault;

/**
 * Cuts the nodes only in zone A from the nodes only in zone B (zones are topology networks, membership from each
 * node's declared `networks`), on all their addresses, both ways. Nodes in both zones are bridges and stay connected.
 */
export const networkZoneCut: FaultKind<Spec> = {
  kind: "zone-cut",
  schema: ZoneCutFault,
  effect: "down",
  sidecarImages: [NETFAULT_IMAGE],
  check(spec, view, report, path) {
    const topology = view.topology;
    if (!topology) return;
    spec.zones.forEach((zone, j) => {
      if (!topology.networks.includes(zone)) report([...path, "zones", j], new Names("zone", "networks", topology.networks).unknown(zone));
    });
    checkSplit(spec, view, report, path);
  },
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    const [zoneA, zoneB] = spec.zones;
    const declared = [...ctx.topology.networks.keys()];
    const unknown = spec.zones.filter((z) => !declared.includes(z));
    if (unknown.length) throw new Error(`zone-cut: unknown network(s) ${unknown.join(", ")} (networks: ${declared.join(", ")})`);
    const zonesOf = (node: string) => ctx.topology.node(node).spec.networks ?? [declared[0]!];
    const sideA = targets.filter((n) => zonesOf(n).includes(zoneA) && !zonesOf(n).includes(zoneB));
    const sideB = targets.filter((n) => zonesOf(n).includes(zoneB) && !zonesOf(n).includes(zoneA));
    const bridges = targets.filter((n) => zonesOf(n).includes(zoneA) && zonesOf(n).includes(zoneB));
    if (sideA.length === 0 || sideB.length === 0) throw new Error(`zone-cut ${zoneA} | ${zoneB}: one side has no node (${zoneA}: ${sideA.join(", ") || "none"}; ${zoneB}: ${sideB.join(", ") || "none"})`);
    const pairs = groupCutPairs([sideA, sideB], "both");
    const nodes = cutNodes(pairs);
    return injectNetnsFault(ctx, {
      key: faultKey(spec),
      mechanism: "nft drop in every cut node's namespace, both directions",
      nodes,
      peers: nodes,
      effect: cutEffect(pairs),
      probe: pairs[0]!,
      notes: [`zone ${zoneA} [${sideA.join(", ")}] cut from zone ${zoneB} [${sideB.join(", ")}]; bridges [${bridges.join(", ")}] stay connected`],
    });
  },
};
