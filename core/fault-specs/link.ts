import { z } from "zod";
import { nearest } from "../did-you-mean.ts";
import { DurationMs } from "../duration.ts";
import { Selector } from "../selector.ts";
import { NodeName, type Topology } from "../topology.ts";
import { scheduled } from "./scheduled.ts";

/**
 * Link faults act on a link of the topology (core/topology.ts `links`: a toxiproxy proxy), not on a node: every
 * client connecting through `<link>:<port>` is affected, clients connecting to the node directly are not.
 *
 * `target` therefore selects nothing to act on; it only names the nodes the report lists for the fault (and SLO
 * windows show). It is optional and defaults to `{ mode: "all" }`; write `{ names: ["db"] }` to list the node behind
 * the link. `linkFaultTargets()` gives exactly that node, for a planner that wants it without the scenario saying so.
 */
const linkScheduled = {
  ...scheduled,
  /** Not acted on (see above); only listed in reports. Default `{ mode: "all" }`. */
  target: Selector.default({ mode: "all" }),
  /** Name of a link declared in the topology's `links`. */
  link: NodeName,
};

/** Which way the toxic applies: upstream = client -> server bytes, downstream = server -> client bytes. */
export const ToxicDirection = z.enum(["upstream", "downstream"]);

/** The toxiproxy toxics, keyed on `type` (toxiproxy's own names); units in the field names. */
export const Toxic = z.discriminatedUnion("type", [
  /** Delays every chunk of data by latency ± jitter. */
  z.object({ type: z.literal("latency"), latencyMs: DurationMs, jitterMs: DurationMs.default(0) }).strict(),
  /** Caps throughput at `rateKBps` kilobytes per second. */
  z.object({ type: z.literal("bandwidth"), rateKBps: z.number().int().min(0) }).strict(),
  /** Delays the close of the socket by `delayMs` after the other side closed. */
  z.object({ type: z.literal("slow_close"), delayMs: DurationMs }).strict(),
  /** Passes no data; closes the connection after `timeoutMs` (0: holds it open, data delayed until healed). */
  z.object({ type: z.literal("timeout"), timeoutMs: DurationMs }).strict(),
  /** Resets connections (TCP RST, "connection reset by peer") at once or after `timeoutMs`. Default 0. */
  z.object({ type: z.literal("reset_peer"), timeoutMs: DurationMs.default(0) }).strict(),
  /** Slices data into chunks of averageSize ± sizeVariation bytes with `delayUs` microseconds between them. */
  z
    .object({ type: z.literal("slicer"), averageSize: z.number().int().min(1), sizeVariation: z.number().int().min(0).default(0), delayUs: z.number().int().min(0).default(0) })
    .strict()
    .refine((t) => t.sizeVariation < t.averageSize, { message: "sizeVariation must be smaller than averageSize", path: ["sizeVariation"] }),
  /** Closes a connection once `bytes` bytes have passed through it. */
  z.object({ type: z.literal("limit_data"), bytes: z.number().int().min(0) }).strict(),
]);
export type Toxic = z.infer<typeof Toxic>;

/** Adds one toxiproxy toxic to a link; heal removes it. */
export const LinkToxicFault = z
  .object({
    kind: z.literal("link-toxic"),
    ...linkScheduled,
    toxic: Toxic,
    /** Default "downstream" (server -> client), toxiproxy's default. */
    direction: ToxicDirection.default("downstream"),
    /** Share of connections affected, 0..1. Default 1 (all). */
    toxicity: z.number().min(0).max(1).default(1),
  })
  .strict();
export type LinkToxicFault = z.infer<typeof LinkToxicFault>;

/** Disables the link's proxy: open connections are closed and new ones refused; heal enables it again. */
export const LinkDownFault = z.object({ kind: z.literal("link-down"), ...linkScheduled }).strict();
export type LinkDownFault = z.infer<typeof LinkDownFault>;

/** Link faults, as members of the FaultSpec union (see core/fault-spec.ts). */
export const linkFaults = [LinkToxicFault, LinkDownFault] as const;

/** The node behind a link fault's link (what its report `targets` should name); undefined for an unknown link. */
export function linkFaultTargets(fault: { link: string }, topology: Pick<Topology, "links">): string[] | undefined {
  const link = topology.links.find((l) => l.name === fault.link);
  return link ? [link.to.node] : undefined;
}

/** Scenario-level checks a link fault needs (the fault schema alone cannot see the topology). Returns problems. */
export function linkFaultProblems(fault: { link: string }, topology: Pick<Topology, "links">): string[] {
  if (topology.links.some((l) => l.name === fault.link)) return [];
  const names = topology.links.map((l) => l.name);
  const meant = nearest(fault.link, names);
  return [`unknown link "${fault.link}"${meant ? `; did you mean "${meant}"?` : ""} (links: ${names.join(", ") || "none declared: add one to topology.links"})`];
}
