import { NETFAULT_IMAGE } from "./network/sidecar.ts";
import type { FaultContext, FaultHandle, FaultKind } from "./fault.ts";
import { faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { defaultBurstBytes, tbfArgs } from "./network/tc-commands.ts";
import { z } from "zod";
import { scheduled } from "./fault-fields.ts";

/** Limit the target's egress rate with a tbf qdisc on each of its interfaces (found by address). */
export const BandwidthFault = z
  .object({
    kind: z.literal("bandwidth"),
    ...scheduled,
    /** Egress rate in kbit/s (1000 bit), e.g. 1000 for 1 mbit. */
    rateKbit: z.number().int().positive(),
    /** tbf bucket in bytes. Default: max(3200, rate/50 bytes), i.e. 20 ms of traffic, at least two full frames. */
    burstBytes: z.number().int().positive().optional(),
  })
  .strict();

type Spec = z.infer<typeof BandwidthFault>;

/** Limits the targets' egress with a tbf root qdisc on every interface carrying their addresses. */
export const networkBandwidth: FaultKind<Spec> = {
  kind: "bandwidth",
  schema: BandwidthFault,
  effect: "degraded",
  sidecarImages: [NETFAULT_IMAGE],
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
