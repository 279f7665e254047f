import { NETFAULT_IMAGE } from "./network/sidecar.ts";
import type { FaultContext, FaultHandle, FaultKind } from "./fault.ts";
import { detectNetem } from "./network/netem.ts";
import { faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { lossTableBody } from "./network/nft-rules.ts";
import { ipsOf } from "./network/peers.ts";
import { netemLossArgs } from "./network/tc-commands.ts";
import { z } from "zod";
import { NodeName } from "../core/topology.ts";
import { scheduled } from "./fault-fields.ts";

/**
 * Drop a share of the target's packets. With netem in the kernel and direction "egress" without peers, a netem
 * loss qdisc; otherwise nftables `numgen random` (loopback is never touched). The mechanism is in the report.
 */
export const PacketLossFault = z
  .object({
    kind: z.literal("packet-loss"),
    ...scheduled,
    /** Percent of packets dropped, 0..100, per direction (with "both", a round trip loses 1-(1-p)^2). */
    percent: z.number().min(0).max(100),
    /** Which of the target's packets: received, sent, or both (default). */
    direction: z.enum(["ingress", "egress", "both"]).default("both"),
    /** Only packets to/from these nodes (all their addresses). Default: every peer. */
    peers: z.array(NodeName).min(1).optional(),
  })
  .strict();

type Spec = z.infer<typeof PacketLossFault>;

/**
 * Drops `percent` of the targets' packets. netem's loss qdisc where the kernel has netem and the fault is
 * egress-only without peers (netem shapes egress only); otherwise nft `numgen random` drop rules (per direction,
 * optionally limited to `peers`, loopback untouched). The mechanism used is in the handle.
 */
export const networkLoss: FaultKind<Spec> = {
  kind: "packet-loss",
  schema: PacketLossFault,
  effect: "degraded",
  sidecarImages: [NETFAULT_IMAGE],
  check(spec, view, report, path) {
    spec.peers?.forEach((peer, j) => {
      if (view.nodes && !view.nodes.has(peer)) report([...path, "peers", j], view.nodes.unknown(peer));
    });
  },
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
