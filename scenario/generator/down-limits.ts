import type { MaxDownFraction } from "./generator-spec.ts";

/** A node as the generator sees it (structurally the topology's node). */
export interface GeneratorNode {
  name: string;
  role?: string | undefined;
}

/** Nodes of `size` that may be down at once under `limit`: a strict minority (fewer than half), or floor(f x size). */
export function allowedDown(limit: MaxDownFraction, size: number): number {
  if (limit === "minority") return Math.max(0, Math.ceil(size / 2) - 1);
  return Math.floor(limit * size + 1e-9);
}

/** The groups a down limit applies to: the whole topology, and each role on its own. */
export function limitGroups(nodes: readonly GeneratorNode[]): { label: string; members: string[] }[] {
  const roles = new Map<string, string[]>();
  for (const node of nodes) if (node.role !== undefined) roles.set(node.role, [...(roles.get(node.role) ?? []), node.name]);
  return [{ label: "the topology", members: nodes.map((n) => n.name) }, ...[...roles].map(([role, members]) => ({ label: `role "${role}"`, members }))];
}

/** Why `down` (the nodes down at once) breaks the limit, or undefined when it does not. */
export function downLimitBreach(down: ReadonlySet<string>, nodes: readonly GeneratorNode[], limit: MaxDownFraction | undefined): string | undefined {
  if (limit === undefined) return undefined;
  for (const group of limitGroups(nodes)) {
    const count = group.members.filter((name) => down.has(name)).length;
    const allowed = allowedDown(limit, group.members.length);
    if (count > allowed) return `${count} of ${group.members.length} nodes of ${group.label} down (at most ${allowed})`;
  }
  return undefined;
}
