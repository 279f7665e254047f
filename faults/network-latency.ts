import type { z } from "zod";
import type { LatencyFault } from "../core/fault-specs/network.ts";
import type { FaultContext, FaultHandle, FaultKindImpl } from "./fault.ts";
import { detectNetem } from "./network/netem.ts";
import { faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { netemDelayCommand } from "./network/tc-commands.ts";

type Spec = z.infer<typeof LatencyFault>;

/**
 * Delays the targets' egress packets with a netem qdisc. netem is detected once per process; a kernel without it
 * (this project's machines) makes the fault refuse at injection, pointing to link faults (toxiproxy).
 */
export const networkLatency: FaultKindImpl<Spec> = {
  kind: "latency",
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    requireNodes(ctx, targets, "latency");
    const netem = await detectNetem(ctx.topology.runId);
    if (!netem.available)
      throw new Error(
        `latency: this kernel has no netem (${netem.detail}), so packet delay cannot be added in a network namespace; ` +
          `use a link fault (toxiproxy, TCP level) between the nodes instead`,
      );
    return injectNetnsFault(ctx, {
      key: faultKey(spec),
      mechanism: `tc netem delay ${spec.delayMs}ms${spec.jitterMs ? ` ${spec.jitterMs}ms` : ""} on egress (sidecar)`,
      nodes: targets,
      peers: [],
      effect: () => ({ qdisc: (iface) => netemDelayCommand(iface, spec.delayMs, spec.jitterMs) }),
      notes: [`netem: ${netem.detail}`],
    });
  },
};
