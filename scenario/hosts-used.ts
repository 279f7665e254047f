import { LOCAL_HOST, placeNodes, spansHosts } from "../core/hosts.ts";
import { TOXIPROXY_NODE } from "../core/topology.ts";
import type { Scenario } from "./scenario.ts";

/** Where a scenario puts things: every node's host (the links' node included) and each class's generator hosts. */
export interface HostPlacement {
  /** Node -> host (core/hosts.ts placeNodes), "toxiproxy" included when the topology has links. */
  nodes: Map<string, string>;
  /** Traffic class -> the hosts of its generators, in order (absent: k6 processes on this machine). */
  generators: Map<string, string[]>;
  /** Every host used. */
  used: Set<string>;
  /** Whether they span more than one engine (overlay networks, one swarm). */
  spans: boolean;
}

export function hostPlacement(scenario: Pick<Scenario, "topology" | "traffic">): HostPlacement {
  const { topology } = scenario;
  const links = topology.links.length > 0 ? [{ name: TOXIPROXY_NODE, role: TOXIPROXY_NODE }] : [];
  const nodes = placeNodes([...topology.nodes, ...links], topology.spread);
  const generators = new Map(scenario.traffic.flatMap((t) => ("generators" in t && t.generators ? [[t.name, t.generators.map((g) => g.host)] as const] : [])));
  // A k6 process or a browser runs here, but it reaches the nodes through their published ports: no engine of its own.
  const used = new Set([...nodes.values(), ...[...generators.values()].flat()]);
  if (used.size === 0) used.add(LOCAL_HOST);
  return { nodes, generators, used, spans: spansHosts(used) };
}
