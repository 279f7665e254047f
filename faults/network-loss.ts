import type { z } from "zod";
import type { PacketLossFault } from "../core/fault-specs/network.ts";
import type { FaultContext, FaultHandle, FaultKindImpl } from "./fault.ts";
import { detectNetem } from "./network/netem.ts";
import { faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { lossTableBody } from "./network/nft-rules.ts";
import { ipsOf } from "./network/peers.ts";
import { netemLossArgs } from "./network/tc-commands.ts";

type Spec = z.infer<typeof PacketLossFault>;

/**
 * Drops `percent` of the targets' packets. netem's loss qdisc where the kernel has netem and the fault is
 * egress-only without peers (netem shapes egress only); otherwise nft `numgen random` drop rules (per direction,
 * optionally limited to `peers`, loopback untouched). The mechanism used is in the handle.
 */
export const networkLoss: FaultKindImpl<Spec> = {
  kind: "packet-loss",
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    requireNodes(ctx, [...targets, ...(spec.peers ?? [])], "packet-loss");
    const key = faultKey(spec);
    const notes: string[] = [];
    const netemFits = spec.direction === "egress" && !spec.peers;
    const netem = netemFits ? await detectNetem(ctx.topology.runId, ctx.netnsAccess) : undefined;
    if (netem) notes.push(`netem: ${netem.detail}`);
    const peers = spec.peers ?? [];
    if (netem?.available) {
      return injectNetnsFault(ctx, {
        key,
        mechanism: `tc netem loss ${spec.percent}% on egress`,
        nodes: targets,
        peers: [],
        effect: () => ({ qdiscArgs: netemLossArgs(spec.percent) }),
        notes,
      });
    }
    const ingress = spec.direction !== "egress";
    const egress = spec.direction !== "ingress";
    return injectNetnsFault(ctx, {
      key,
      mechanism: `nft numgen random mod 10000 < ${Math.round(spec.percent * 100)} drop, ${spec.direction}${spec.peers ? ` to/from ${peers.join(", ")}` : ""}`,
      nodes: targets,
      peers,
      effect: (_node, book) => ({
        nftBody: lossTableBody({ percent: spec.percent, ingress, egress, ...(spec.peers ? { peers: ipsOf(book, peers) } : {}) }),
        expectInTable: ["numgen random"],
      }),
      notes,
    });
  },
};
