import type { NodeSpec } from "../../core/topology.ts";

/** Nodes grouped into layers: every node's dependencies sit in earlier layers. Throws on a cycle. */
export function startLayers(nodes: readonly NodeSpec[]): NodeSpec[][] {
  const placed = new Set<string>();
  const layers: NodeSpec[][] = [];
  let remaining = [...nodes];
  while (remaining.length > 0) {
    const layer = remaining.filter((n) => n.dependsOn.every((d) => placed.has(d)));
    if (layer.length === 0) throw new Error(`dependsOn has a cycle among: ${remaining.map((n) => n.name).join(", ")}`);
    layer.forEach((n) => placed.add(n.name));
    layers.push(layer);
    remaining = remaining.filter((n) => !placed.has(n.name));
  }
  return layers;
}
