import type { CycleBase, CycleSuffix } from "./anomaly-names.ts";
import { CYCLE_BASES, impliedBy } from "./anomaly-names.ts";
import type { PathRules } from "./bfs.ts";
import { PathSearch } from "./bfs.ts";
import type { Budget } from "./budget.ts";
import { classifyCycle } from "./classify.ts";
import type { Graph } from "./graph.ts";
import { PROCESS, REALTIME, RW, WR, WW } from "./graph.ts";
import { nontrivial, stronglyConnected, Workspace } from "./scc.ts";

/**
 * Finds the shortest cycle of each anomaly class in each strongly connected component of the dependency graph
 * (Elle's approach, elle.txn/cycle-cases-in-scc: Tarjan first, then BFS inside a component, most severe class
 * first, skipping classes a found one implies).
 *
 * Classes come in three families: plain (ww, wr, rw), "-process" (plus process edges, at least one of them) and
 * "-realtime" (plus process and realtime edges, at least one realtime). Within a family, each class is searched
 * only where it can exist, proven with SCCs of a subgraph before any BFS:
 * - G0: anchors are ww (or the family's required) edges inside an SCC of the ww subgraph;
 * - G1c: wr edges inside an SCC of ww + wr;
 * - G-single and G-nonadjacent: rw edges a -> b with (a, 0) and (b, 1) in one SCC of the layered graph (scc.ts),
 *   i.e. a closed walk through the edge whose rw edges are never adjacent exists (Elle's PL-SI cycle-exists test);
 * - G2-item: any rw edge inside the family's SCC.
 * Then each anchor a -> b is closed by the shortest valid path b -> a (bfs.ts). Anchors are tried first for a cycle
 * of the class's minimal length, then in full with the depth bounded by the best so far; after the first cycle,
 * the search for a shorter one stops at a work quota, so "shortest" is the shortest among the anchors tried.
 */
export interface Family {
  suffix: CycleSuffix;
  /** Edge types the family adds to ww, wr and rw. */
  extra: number;
  /** The family's required edge type (0 for plain). */
  need: number;
}

export const PLAIN: Family = { suffix: "", extra: 0, need: 0 };
export const PROCESS_FAMILY: Family = { suffix: "-process", extra: PROCESS, need: PROCESS };
export const REALTIME_FAMILY: Family = { suffix: "-realtime", extra: PROCESS | REALTIME, need: REALTIME };

/** A found cycle: edge ids in walk order (each edge's dst is the next edge's src; the last returns to the first). */
export interface FoundCycle {
  name: string;
  edges: number[];
}

/** Work (BFS states) a class may spend looking for a shorter cycle once it has one, per component. */
const MIN_IMPROVEMENT_WORK = 1_000_000;

interface Region {
  /** Scope of the BFS: every cycle through these anchors lies inside it. */
  vertices: Int32Array;
  /** Adjacency slots a -> b of the anchors, with their sources. */
  anchorSlots: number[];
  anchorSources: number[];
}

export class CycleSearch {
  readonly #ws: Workspace;
  readonly #paths: PathSearch;

  constructor(
    readonly g: Graph,
    readonly budget: Budget,
    readonly families: readonly Family[],
  ) {
    this.#ws = new Workspace(g.nodeCount);
    this.#paths = new PathSearch(g, budget);
  }

  /** The nontrivial SCCs of the whole graph (every edge type the model uses), smallest first. */
  components(mask: number): Int32Array[] {
    const all = Int32Array.from({ length: this.g.nodeCount }, (_, v) => v);
    const components = nontrivial(all, stronglyConnected(this.#ws, this.g, all, mask, false, this.budget), 1);
    return components.sort((a, b) => a.length - b.length);
  }

  /**
   * Searches one component for the classes `wanted` accepts and `skip` does not hold. Each class found is added to
   * `skip` with every class it implies, and reported once (the shortest cycle this component gave).
   */
  searchComponent(component: Int32Array, wanted: (name: string) => boolean, skip: Set<string>, report: (cycle: FoundCycle) => void): void {
    for (const family of this.families) {
      const names = CYCLE_BASES.map((base) => base + family.suffix).filter((name) => wanted(name) && !skip.has(name));
      if (names.length === 0) continue;
      const familyMask = WW | WR | RW | family.extra;
      for (const region of nontrivial(component, stronglyConnected(this.#ws, this.g, component, familyMask, false, this.budget), 1)) {
        if (family.need !== 0 && !this.#hasInternalEdge(region, family.need, familyMask)) continue;
        for (const base of CYCLE_BASES) {
          const name = base + family.suffix;
          if (!wanted(name) || skip.has(name)) continue;
          const cycle = this.#searchClass(region, family, base);
          if (cycle === null) continue;
          for (const implied of impliedBy(cycle.name)) skip.add(implied);
          skip.add(name);
          report(cycle);
        }
      }
    }
  }

  #searchClass(region: Int32Array, family: Family, base: CycleBase): FoundCycle | null {
    const nonRw = WW | WR | family.extra;
    switch (base) {
      case "G0": {
        const anchor = family.need !== 0 ? family.need : WW;
        const rules: PathRules = { allowed: WW | family.extra, rw: "none", needRw: false, need: 0 };
        return this.#best(this.#regionsOf(region, WW | family.extra, anchor, 0), rules, anchor, 2, base + family.suffix);
      }
      case "G1c": {
        const rules: PathRules = { allowed: nonRw, rw: "none", needRw: false, need: family.need };
        return this.#best(this.#regionsOf(region, nonRw, WR, family.need), rules, WR, 2, base + family.suffix);
      }
      case "G-single":
      case "G-nonadjacent": {
        const regions = this.#separatedRwAnchors(region, nonRw | RW);
        const rules: PathRules = base === "G-single" ? { allowed: nonRw, rw: "none", needRw: false, need: family.need } : { allowed: nonRw, rw: "nonadjacent", needRw: true, need: family.need };
        return this.#best(regions, rules, RW, base === "G-single" ? 2 : 4, base + family.suffix);
      }
      case "G2-item": {
        const rules: PathRules = { allowed: nonRw, rw: "free", needRw: true, need: family.need };
        return this.#best([{ vertices: region, ...this.#anchorsWithin(region, RW) }], rules, RW, 2, base + family.suffix);
      }
    }
  }

  /** SCCs of the `mask` subgraph of `region`, each with its `anchor`-typed internal edges (and holding a `need` edge). */
  #regionsOf(region: Int32Array, mask: number, anchor: number, need: number): Region[] {
    const components = stronglyConnected(this.#ws, this.g, region, mask, false, this.budget);
    const { offsets, adjDst, adjType } = this.g;
    const local = this.#ws.local;
    const byComponent = new Map<number, { slots: number[]; sources: number[]; hasNeed: boolean }>();
    for (let i = 0; i < region.length; i++) {
      const a = region[i]!;
      const c = components.comp[i]!;
      if (components.size[c]! < 2) continue;
      for (let slot = offsets[a]!; slot < offsets[a + 1]!; slot++) {
        const type = adjType[slot]!;
        if ((type & (anchor | need)) === 0 || (type & mask) === 0) continue;
        const b = adjDst[slot]!;
        if (this.#ws.scope[b] !== this.#ws.scope[a] || components.comp[local[b]!] !== c) continue;
        let entry = byComponent.get(c);
        if (entry === undefined) byComponent.set(c, (entry = { slots: [], sources: [], hasNeed: need === 0 }));
        if ((type & need) !== 0) entry.hasNeed = true;
        if ((type & anchor) !== 0) {
          entry.slots.push(slot);
          entry.sources.push(a);
        }
      }
    }
    const verticesOf = nontrivialByComponent(region, components.comp, components.size);
    const regions: Region[] = [];
    for (const [c, entry] of byComponent) {
      if (entry.hasNeed && entry.slots.length > 0) regions.push({ vertices: verticesOf.get(c)!, anchorSlots: entry.slots, anchorSources: entry.sources });
    }
    return regions;
  }

  /** rw edges a -> b with (a, 0) and (b, 1) in one SCC of the layered graph: a closed walk with separated rw edges. */
  #separatedRwAnchors(region: Int32Array, mask: number): Region[] {
    const layered = stronglyConnected(this.#ws, this.g, region, mask, true, this.budget);
    const { offsets, adjDst, adjType } = this.g;
    const local = this.#ws.local;
    const anchorSlots: number[] = [];
    const anchorSources: number[] = [];
    for (let i = 0; i < region.length; i++) {
      const a = region[i]!;
      for (let slot = offsets[a]!; slot < offsets[a + 1]!; slot++) {
        if (adjType[slot] !== RW) continue;
        const b = adjDst[slot]!;
        if (this.#ws.scope[b] !== this.#ws.scope[a]) continue;
        if (layered.comp[i * 2] === layered.comp[local[b]! * 2 + 1]) {
          anchorSlots.push(slot);
          anchorSources.push(a);
        }
      }
    }
    return anchorSlots.length === 0 ? [] : [{ vertices: region, anchorSlots, anchorSources }];
  }

  #anchorsWithin(region: Int32Array, anchor: number): { anchorSlots: number[]; anchorSources: number[] } {
    const token = this.#ws.enter(region);
    const { offsets, adjDst, adjType } = this.g;
    const anchorSlots: number[] = [];
    const anchorSources: number[] = [];
    for (const a of region) {
      for (let slot = offsets[a]!; slot < offsets[a + 1]!; slot++) {
        if (adjType[slot] === anchor && this.#ws.scope[adjDst[slot]!] === token) {
          anchorSlots.push(slot);
          anchorSources.push(a);
        }
      }
    }
    return { anchorSlots, anchorSources };
  }

  #hasInternalEdge(region: Int32Array, type: number, mask: number): boolean {
    const token = this.#ws.enter(region);
    const { offsets, adjDst, adjType } = this.g;
    for (const a of region) {
      for (let slot = offsets[a]!; slot < offsets[a + 1]!; slot++) {
        if ((adjType[slot]! & type & mask) !== 0 && this.#ws.scope[adjDst[slot]!] === token) return true;
      }
    }
    return false;
  }

  /** The shortest cycle over all anchors of all regions (within the improvement quota), cut to a simple cycle. */
  #best(regions: readonly Region[], rules: PathRules, anchorType: number, minLength: number, name: string): FoundCycle | null {
    if (regions.length === 0) return null;
    let best: number[] | null = null;
    let quota = Number.POSITIVE_INFINITY;
    // A first pass looks only for two-edge cycles (one look at each anchor's target's edges): cheap, and often enough.
    for (const shortOnly of minLength === 2 ? [true, false] : [false]) {
      for (const region of regions) {
        const token = this.#ws.enter(region.vertices);
        for (let i = 0; i < region.anchorSlots.length; i++) {
          const bestLength = best === null ? Number.POSITIVE_INFINITY : best.length;
          if (bestLength <= minLength || this.#paths.work > quota) break;
          const slot = region.anchorSlots[i]!;
          const maxLength = Math.min(shortOnly ? minLength - 1 : Number.POSITIVE_INFINITY, bestLength - 2);
          const path = this.#paths.find(rules, anchorType, region.anchorSources[i]!, this.g.adjDst[slot]!, this.#ws.scope, token, maxLength);
          if (path === null) continue;
          best = [this.g.adjEdge[slot]!, ...path.map((s) => this.g.adjEdge[s]!)];
          if (quota === Number.POSITIVE_INFINITY) quota = this.#paths.work + Math.max(MIN_IMPROVEMENT_WORK, 8 * region.vertices.length);
        }
      }
    }
    if (best === null) return null;
    const simple = simplestOfClass(best, this.g, name);
    return { name: classifyCycle(simple.map((e) => this.g.edges.type[e]!)).name, edges: simple };
  }
}

function nontrivialByComponent(vertices: Int32Array, comp: Int32Array, size: Int32Array): Map<number, Int32Array> {
  const lists = new Map<number, number[]>();
  for (let i = 0; i < vertices.length; i++) {
    const c = comp[i]!;
    if (size[c]! < 2) continue;
    let list = lists.get(c);
    if (list === undefined) lists.set(c, (list = []));
    list.push(vertices[i]!);
  }
  return new Map([...lists].map(([c, list]) => [c, Int32Array.from(list)]));
}

/**
 * A closed walk that passes a transaction twice splits there into two shorter closed walks; keep the shortest piece
 * still of class `name`, recursively. When no piece is, the walk itself is the witness: a closed walk in the
 * dependency graph is already a contradiction (Cerone and Gotsman's characterisations are over such walks).
 */
export function simplestOfClass(walk: number[], g: Graph, name: string): number[] {
  const src = g.edges.src;
  const firstAt = new Map<number, number>();
  for (let i = 0; i < walk.length; i++) {
    const v = src[walk[i]!]!;
    const j = firstAt.get(v);
    if (j === undefined) {
      firstAt.set(v, i);
      continue;
    }
    const inner = walk.slice(j, i);
    const outer = [...walk.slice(i), ...walk.slice(0, j)];
    const candidates = [inner, outer]
      .map((piece) => simplestOfClass(piece, g, name))
      .filter((piece) => classifyCycle(piece.map((e) => g.edges.type[e]!)).name === name)
      .sort((a, b) => a.length - b.length);
    return candidates[0] ?? walk;
  }
  return walk;
}
