import { NETFAULT_IMAGE } from "./network/sidecar.ts";
import type { FaultContext, FaultHandle, FaultKind } from "./fault.ts";
import { cutEffect, faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { isolateCutPairs } from "./network/partition-groups.ts";
import { z } from "zod";
import { checkSplit } from "./network/split-checks.ts";
import { scheduled } from "./fault-fields.ts";

/** Cut the targets from every other node of the topology, both directions (all their addresses, every network). */
export const IsolateFault = z.object({ kind: z.literal("isolate"), ...scheduled }).strict();

export type IsolateFault = z.infer<typeof IsolateFault>;
type Spec = IsolateFault;

/**
 * Cuts the targets from every other node, both directions: nft drop rules (input from and output to all the
 * other nodes' addresses) in each target's namespace. Verified by a datagram from a target to another node that the
 * target's drop rule must refuse and count. Re-applied when a target or peer restarts while the fault is due.
 */
export const networkIsolate: FaultKind<Spec> = {
  kind: "isolate",
  schema: IsolateFault,
  effect: "down",
  sidecarImages: [NETFAULT_IMAGE],
  check: (spec, view, report, path) => checkSplit(spec, view, report, path),
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    requireNodes(ctx, targets, "isolate");
    const all = [...ctx.topology.nodes.keys()];
    const others = all.filter((n) => !targets.includes(n));
    if (targets.length === 0 || others.length === 0) throw new Error(`isolate needs at least one target and one other node (targets: ${targets.join(", ") || "none"})`);
    return injectNetnsFault(ctx, {
      key: faultKey(spec),
      mechanism: "nft drop in the targets' namespaces, both directions",
      nodes: targets,
      peers: others,
      effect: cutEffect(isolateCutPairs(targets, all)),
      probe: { from: targets[0]!, to: others[0]! },
      notes: [`isolating ${targets.join(", ")} from ${others.join(", ")}`],
    });
  },
};
