import type { Rng } from "../../core/rng.ts";

/** Which directed node pairs a cut drops: `from` -> `to` packets. */
export interface CutPair {
  from: string;
  to: string;
}

export type PartitionModeName = "halves" | "minority-majority" | "bridge";

export interface ComputedGroups {
  groups: string[][];
  /** Nodes connected to every group (the bridge of mode "bridge"). */
  bridges: string[];
}

/**
 * Groups over `nodes` (shuffled with `rng`): "halves" floor(n/2) vs the rest; "minority-majority" a strict
 * minority (ceil(n/2)-1, at least 1) vs the rest; "bridge" like halves, but the first node of the second
 * half stays connected to both sides (Jepsen's bridge). Needs at least 2 nodes (3 for a bridge).
 */
export function computeGroups(mode: PartitionModeName, nodes: readonly string[], rng: Rng): ComputedGroups {
  const min = mode === "bridge" ? 3 : 2;
  if (nodes.length < min) throw new Error(`partition mode "${mode}" needs at least ${min} nodes, got ${nodes.length} (${nodes.join(", ")})`);
  const shuffled = rng.shuffle(nodes);
  const firstSize = mode === "minority-majority" ? Math.max(1, Math.ceil(nodes.length / 2) - 1) : Math.floor(nodes.length / 2);
  const first = shuffled.slice(0, firstSize);
  const second = shuffled.slice(firstSize);
  if (mode === "bridge") return { groups: [first, second.slice(1)], bridges: [second[0]!] };
  return { groups: [first, second], bridges: [] };
}

/** Pairs dropped between groups: every ordered pair across two groups ("both"), or earlier -> later only ("one-way"). */
export function groupCutPairs(groups: readonly (readonly string[])[], direction: "both" | "one-way"): CutPair[] {
  const pairs: CutPair[] = [];
  groups.forEach((a, i) =>
    groups.forEach((b, j) => {
      if (i === j || (direction === "one-way" && j < i)) return;
      for (const from of a) for (const to of b) pairs.push({ from, to });
    }),
  );
  return pairs;
}

/** Isolation: every pair between a target and a non-target, both ways. */
export function isolateCutPairs(targets: readonly string[], allNodes: readonly string[]): CutPair[] {
  const others = allNodes.filter((n) => !targets.includes(n));
  return targets.flatMap((t) => others.flatMap((o) => [{ from: t, to: o }, { from: o, to: t }]));
}

/** FNV-1a of a text: a reproducible seed when the fault context carries no run Rng. */
export function seedFromText(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}

export function describeGroups(groups: readonly (readonly string[])[], bridges: readonly string[]): string {
  return groups.map((g) => `[${g.join(", ")}]`).join(" | ") + (bridges.length ? ` bridge ${bridges.join(", ")}` : "");
}
