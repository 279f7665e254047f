import type { z } from "zod";
import type { BandwidthFault } from "../core/fault-specs/network.ts";
import type { FaultContext, FaultHandle, FaultKindImpl } from "./fault.ts";
import { faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { defaultBurstBytes, tbfArgs } from "./network/tc-commands.ts";

type Spec = z.infer<typeof BandwidthFault>;

/** Limits the targets' egress with a tbf root qdisc on every interface carrying their addresses. */
export const networkBandwidth: FaultKindImpl<Spec> = {
  kind: "bandwidth",
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    requireNodes(ctx, targets, "bandwidth");
    const burst = spec.burstBytes ?? defaultBurstBytes(spec.rateKbit);
    return injectNetnsFault(ctx, {
      key: faultKey(spec),
      mechanism: `tc tbf rate ${spec.rateKbit}kbit burst ${burst} latency 50ms on egress`,
      nodes: targets,
      peers: [],
      effect: () => ({ qdiscArgs: tbfArgs(spec.rateKbit, burst) }),
    });
  },
};
