import { NETFAULT_IMAGE } from "./network/sidecar.ts";
import { errorMessage } from "../core/errors.ts";
import type { FaultContext, FaultHandle, FaultKind } from "./fault.ts";
import { healOnce } from "./fault.ts";
import { linkToxic } from "./link-toxic.ts";
import { detectNetem } from "./network/netem.ts";
import { faultKey, injectNetnsFault, requireNodes } from "./network/netns-fault.ts";
import { netemDelayArgs } from "./network/tc-commands.ts";
import { z } from "zod";
import { LinkToxicFault } from "./link-toxic.ts";
import { scheduled } from "./fault-fields.ts";

/**
 * Delay the target's egress packets with netem. Kernels without netem (like this project's machines) refuse
 * the fault at injection: use a link fault (toxiproxy) for latency there.
 */
export const LatencyFault = z
  .object({
    kind: z.literal("latency"),
    ...scheduled,
    /** Added delay in ms. */
    delayMs: z.number().min(0),
    /** Jitter in ms (uniform ±), default 0. */
    jitterMs: z.number().min(0).default(0),
  })
  .strict();

type Spec = z.infer<typeof LatencyFault>;

/**
 * Delays the targets' egress packets with a netem qdisc. netem is detected once per process; on a kernel without it
 * (this project's machines) the measured fallback is toxiproxy: a latency toxic on every declared link that leads to
 * a target, downstream (target -> client), which is the target's egress on those paths. Only traffic through
 * declared links is delayed then; the mechanism says so. No such link: refused at injection with what to declare.
 */
export const networkLatency: FaultKind<Spec> = {
  kind: "latency",
  schema: LatencyFault,
  effect: "degraded",
  sidecarImages: [NETFAULT_IMAGE],
  async inject(ctx: FaultContext, spec: Spec, targets: readonly string[]): Promise<FaultHandle> {
    requireNodes(ctx, targets, "latency");
    const netem = await detectNetem(ctx.topology.runId, ctx.netnsAccess);
    if (!netem.available) return injectOnLinks(ctx, spec, targets, netem.detail);
    return injectNetnsFault(ctx, {
      key: faultKey(spec),
      mechanism: `tc netem delay ${spec.delayMs}ms${spec.jitterMs ? ` ${spec.jitterMs}ms` : ""} on egress`,
      nodes: targets,
      peers: [],
      effect: () => ({ qdiscArgs: netemDelayArgs(spec.delayMs, spec.jitterMs) }),
      notes: [`netem: ${netem.detail}`],
    });
  },
};

async function injectOnLinks(ctx: FaultContext, spec: Spec, targets: readonly string[], netemDetail: string): Promise<FaultHandle> {
  const links = ctx.topology.links.filter((l) => targets.includes(l.to.node));
  if (links.length === 0) {
    throw new Error(
      `latency: this kernel has no netem (${netemDetail}), and no declared link leads to ${targets.join(", ")}; ` +
        `declare topology.links to them (toxiproxy) so latency can be added on those paths, or use link-toxic`,
    );
  }
  const handles: FaultHandle[] = [];
  try {
    for (const link of links) {
      const toxicSpec = LinkToxicFault.parse({
        kind: "link-toxic",
        at: "0s",
        link: link.name,
        id: spec.id ?? "latency",
        toxic: { type: "latency", latencyMs: spec.delayMs, jitterMs: spec.jitterMs },
        direction: "downstream",
      });
      handles.push(await linkToxic.inject(ctx, toxicSpec, targets));
    }
  } catch (error) {
    // Half a fault is worse than none: take back the toxics already added, then report the failure.
    await Promise.allSettled(handles.map((h) => h.heal()));
    throw new Error(`latency (toxiproxy fallback): ${errorMessage(error)}`);
  }
  const names = links.map((l) => l.name).join(", ");
  const notes = [`netem: ${netemDetail}`, ...handles.flatMap((h) => h.notes)];
  const notesAtInject = handles.map((h) => h.notes.length);
  return {
    injectedAtMs: Math.max(...handles.map((h) => h.injectedAtMs)),
    mechanism:
      `toxiproxy latency ${spec.delayMs}ms${spec.jitterMs ? ` ±${spec.jitterMs}ms` : ""} downstream on links ${names} ` +
      `(no netem: only traffic through those links is delayed)`,
    notes,
    heal: healOnce(async () => {
      const results = await Promise.allSettled(handles.map((h) => h.heal()));
      handles.forEach((h, i) => notes.push(...h.notes.slice(notesAtInject[i])));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
      if (failed) throw failed.reason;
      return Math.max(...results.map((r) => (r as PromiseFulfilledResult<number>).value));
    }),
  };
}
