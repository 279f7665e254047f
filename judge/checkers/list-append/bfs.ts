import type { Budget } from "./budget.ts";
import type { Graph } from "./graph.ts";
import { RW } from "./graph.ts";

/**
 * Shortest path search that completes a cycle: given an anchor edge a -> b, the shortest path b -> a whose edges
 * obey a class's rules, so anchor + path is the shortest cycle of that class through the anchor. It is a BFS over
 * (vertex, state) where the state carries three bits (this is what Elle's BFSPath tracks per path, as a fixed-size
 * state per vertex instead):
 *   1: the last edge taken was rw (for "no two adjacent rw edges");
 *   2: the path holds an rw edge;
 *   4: the cycle holds an edge of the class's required type (a process or realtime edge).
 * Because a vertex may be reached in two states, the result is a closed walk; cycle-search.ts cuts it down to a
 * simple cycle of the same class when one is inside it.
 */
export interface PathRules {
  /** Non-rw edge types the path may take. */
  allowed: number;
  /** "none": no rw edge on the path; "nonadjacent": rw edges, never two in a row (nor next to an rw anchor); "free". */
  rw: "none" | "nonadjacent" | "free";
  /** The path must hold at least one rw edge. */
  needRw: boolean;
  /** Edge types of which the cycle must hold at least one (0 for none). */
  need: number;
}

const STATES = 8;
const LAST_RW = 1;
const HAS_RW = 2;
const HAS_NEED = 4;

export class PathSearch {
  readonly #stamp: Int32Array;
  readonly #parentSlot: Int32Array;
  readonly #parentState: Int32Array;
  readonly #queue: Int32Array;
  #current = 0;
  /** States dequeued by all searches so far: the work a caller budgets against. */
  work = 0;

  constructor(
    readonly g: Graph,
    readonly budget: Budget,
  ) {
    const size = g.nodeCount * STATES;
    this.#stamp = new Int32Array(size);
    this.#parentSlot = new Int32Array(size);
    this.#parentState = new Int32Array(size);
    this.#queue = new Int32Array(size);
  }

  /**
   * Adjacency slots of the shortest path from `b` to `a` inside the scope (vertices whose mark is `token`), with at
   * most `maxLength` edges, or null. The anchor is a -> b with type `anchorType`.
   */
  find(rules: PathRules, anchorType: number, a: number, b: number, scope: Int32Array, token: number, maxLength: number): number[] | null {
    if (maxLength < 1) return null;
    const stamp = this.#stamp;
    const parentSlot = this.#parentSlot;
    const parentState = this.#parentState;
    const queue = this.#queue;
    const { offsets, adjDst, adjType } = this.g;
    const { allowed, need, needRw } = rules;
    const rwMode = rules.rw === "none" ? 0 : rules.rw === "nonadjacent" ? 1 : 2;
    const anchorRw = anchorType === RW;
    const current = ++this.#current;
    const start = b * STATES + (anchorRw ? LAST_RW : 0) + ((anchorType & need) !== 0 ? HAS_NEED : 0);
    stamp[start] = current;
    parentState[start] = -1;
    let head = 0;
    let tail = 0;
    queue[tail++] = start;
    let level = 0;
    let levelEnd = tail;
    while (head < tail) {
      if (head === levelEnd) {
        level++;
        levelEnd = tail;
      }
      if (level >= maxLength) break;
      const s = queue[head++]!;
      if ((++this.work & 4095) === 0) this.budget.check();
      const v = (s / STATES) | 0;
      const bits = s & (STATES - 1);
      for (let slot = offsets[v]!, end = offsets[v + 1]!; slot < end; slot++) {
        const type = adjType[slot]!;
        let next: number;
        if (type === RW) {
          if (rwMode === 0 || (rwMode === 1 && (bits & LAST_RW) !== 0)) continue;
          next = bits | LAST_RW | HAS_RW;
        } else {
          if ((type & allowed) === 0) continue;
          next = (bits & ~LAST_RW) | ((type & need) !== 0 ? HAS_NEED : 0);
        }
        const w = adjDst[slot]!;
        if (scope[w] !== token) continue;
        const t = w * STATES + next;
        if (stamp[t] === current) continue;
        stamp[t] = current;
        parentSlot[t] = slot;
        parentState[t] = s;
        if (w === a && (!needRw || (next & HAS_RW) !== 0) && (need === 0 || (next & HAS_NEED) !== 0) && !(rwMode === 1 && anchorRw && (next & LAST_RW) !== 0)) {
          const path: number[] = [];
          for (let at = t; parentState[at] !== -1; at = parentState[at]!) path.push(parentSlot[at]!);
          return path.reverse();
        }
        queue[tail++] = t;
      }
    }
    return null;
  }
}
