import { z } from "zod";
import { nearest } from "../core/did-you-mean.ts";
import { DurationMs } from "../core/duration.ts";
import { Selector } from "../core/selector.ts";
import { NodeName, type Topology } from "../core/topology.ts";

/** Fields every scheduled fault has. Times count from the start of traffic. */
export const scheduled = {
  /** Unique id used by SLO windows and reports. Default: "<kind>-<index>". */
  id: z.string().regex(/^[a-zA-Z0-9_.-]+$/, "expected letters, digits, '_', '.' or '-'").optional(),
  target: Selector,
  /** When to inject, from traffic start. */
  at: DurationMs,
  /** How long the fault lasts; heal runs at `at + for`. Omitted: healed `tail` before the end of traffic. */
  for: DurationMs.optional(),
};

/** `target` for faults that act on a set of nodes considered together: default every node of the topology. */
export const allNodes = Selector.default({ mode: "all" });

/**
 * Link faults act on a link of the topology (core/topology.ts `links`: a toxiproxy proxy), not on a node: every
 * client connecting through `<link>:<port>` is affected, clients connecting to the node directly are not.
 *
 * `target` therefore selects nothing to act on; it only names the nodes the report lists for the fault (and SLO
 * windows show). It is optional and defaults to `{ mode: "all" }`; write `{ names: ["db"] }` to list the node behind
 * the link. `linkFaultTargets()` gives exactly that node, for a planner that wants it without the scenario saying so.
 */
export const linkScheduled = {
  ...scheduled,
  /** Not acted on (see above); only listed in reports. Default `{ mode: "all" }`. */
  target: Selector.default({ mode: "all" }),
  /** Name of a link declared in the topology's `links`. */
  link: NodeName,
};

/** The node behind a link fault's link (what its report `targets` should name); undefined for an unknown link. */
export function linkFaultTargets(fault: { link: string }, topology: Pick<Topology, "links">): string[] | undefined {
  const link = topology.links.find((l) => l.name === fault.link);
  return link ? [link.to.node] : undefined;
}

/** A link fault's link must be declared in the topology (the schema alone cannot see it). Returns problems. */
export function linkFaultProblems(fault: { link: string }, topology: Pick<Topology, "links">): string[] {
  if (topology.links.some((l) => l.name === fault.link)) return [];
  const names = topology.links.map((l) => l.name);
  const meant = nearest(fault.link, names);
  return [`unknown link "${fault.link}"${meant ? `; did you mean "${meant}"?` : ""} (links: ${names.join(", ") || "none declared: add one to topology.links"})`];
}
