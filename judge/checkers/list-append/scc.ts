import type { Budget } from "./budget.ts";
import type { Graph } from "./graph.ts";
import { RW } from "./graph.ts";

/**
 * Tarjan's strongly connected components, iterative (histories are deep enough to overflow a recursive one), over
 * the subgraph a vertex list and an edge-type mask select. Arrays are the workspace's, sized once for the whole
 * graph and reset only for the vertices of each call, so the many small calls of a cycle search cost what their
 * components weigh.
 *
 * `layered` runs it on the product graph Elle uses to prove snapshot-isolation cycles exist (its PL-SI
 * "extension" subgraph): state (v, 0) = "reached v by a non-rw edge", (v, 1) = "reached v by an rw edge"; a non-rw
 * edge leads to layer 0 from either layer, an rw edge leads to layer 1 and only from layer 0. A cycle in it is a
 * closed walk whose rw edges are never adjacent, and it holds an rw edge when it passes a layer-1 state.
 */
export class Workspace {
  readonly index: Int32Array;
  readonly low: Int32Array;
  readonly onStack: Uint8Array;
  readonly stack: Int32Array;
  readonly frameState: Int32Array;
  readonly frameCursor: Int32Array;
  /** Vertex -> position in the current call's vertex list. */
  readonly local: Int32Array;
  /** Vertex -> scope token; a vertex is in the current scope when its mark equals the token. */
  readonly scope: Int32Array;
  #token = 0;

  constructor(readonly nodeCount: number) {
    const states = 2 * nodeCount;
    this.index = new Int32Array(states);
    this.low = new Int32Array(states);
    this.onStack = new Uint8Array(states);
    this.stack = new Int32Array(states);
    this.frameState = new Int32Array(states);
    this.frameCursor = new Int32Array(states);
    this.local = new Int32Array(nodeCount);
    this.scope = new Int32Array(nodeCount);
  }

  /** Marks `vertices` as the scope and returns its token. */
  enter(vertices: ArrayLike<number>): number {
    const token = ++this.#token;
    for (let i = 0; i < vertices.length; i++) this.scope[vertices[i]!] = token;
    return token;
  }
}

export interface Components {
  /** Component id per state, indexed by (position in the vertex list) * layers + layer. */
  comp: Int32Array;
  count: number;
  /** States per component. */
  size: Int32Array;
}

export function stronglyConnected(ws: Workspace, g: Graph, vertices: ArrayLike<number>, mask: number, layered: boolean, budget: Budget): Components {
  const layers = layered ? 2 : 1;
  const token = ws.enter(vertices);
  const { index, low, onStack, stack, frameState, frameCursor, local } = ws;
  const { offsets, adjDst, adjType } = g;
  for (let i = 0; i < vertices.length; i++) {
    const v = vertices[i]!;
    local[v] = i;
    for (let l = 0; l < layers; l++) {
      index[v * 2 + l] = -1;
      onStack[v * 2 + l] = 0;
    }
  }
  const comp = new Int32Array(vertices.length * layers);
  const sizes: number[] = [];
  let counter = 0;
  let top = 0;
  for (let i = 0; i < vertices.length; i++) {
    for (let l = 0; l < layers; l++) {
      const root = vertices[i]! * 2 + l;
      if (index[root] !== -1) continue;
      let frames = 0;
      index[root] = low[root] = counter++;
      stack[top++] = root;
      onStack[root] = 1;
      frameState[frames] = root;
      frameCursor[frames++] = offsets[root >> 1]!;
      while (frames > 0) {
        const s = frameState[frames - 1]!;
        const v = s >> 1;
        const cursor = frameCursor[frames - 1]!;
        if (cursor < offsets[v + 1]!) {
          frameCursor[frames - 1] = cursor + 1;
          const type = adjType[cursor]!;
          if ((type & mask) === 0) continue;
          const w = adjDst[cursor]!;
          if (ws.scope[w] !== token) continue;
          let t: number;
          if (!layered) t = w * 2;
          else if (type === RW) {
            if ((s & 1) === 1) continue;
            t = w * 2 + 1;
          } else t = w * 2;
          if (index[t] === -1) {
            index[t] = low[t] = counter++;
            stack[top++] = t;
            onStack[t] = 1;
            frameState[frames] = t;
            frameCursor[frames++] = offsets[w]!;
            if ((counter & 4095) === 0) budget.check();
          } else if (onStack[t] === 1 && index[t]! < low[s]!) {
            low[s] = index[t]!;
          }
          continue;
        }
        frames--;
        if (low[s] === index[s]) {
          const id = sizes.length;
          let size = 0;
          let t: number;
          do {
            t = stack[--top]!;
            onStack[t] = 0;
            comp[local[t >> 1]! * layers + (t & 1)] = id;
            size++;
          } while (t !== s);
          sizes.push(size);
        }
        if (frames > 0) {
          const parent = frameState[frames - 1]!;
          if (low[s]! < low[parent]!) low[parent] = low[s]!;
        }
      }
    }
  }
  return { comp, count: sizes.length, size: Int32Array.from(sizes) };
}

/** The vertex lists of components with two or more vertices (a layered call groups by layer 0 only). */
export function nontrivial(vertices: ArrayLike<number>, components: Components, layers: 1 | 2): Int32Array[] {
  const members: number[][] = [];
  const slot = new Int32Array(components.count).fill(-1);
  for (let i = 0; i < vertices.length; i++) {
    const c = components.comp[i * layers]!;
    if (components.size[c]! < 2) continue;
    if (slot[c] === -1) {
      slot[c] = members.length;
      members.push([]);
    }
    members[slot[c]!]!.push(vertices[i]!);
  }
  return members.map((m) => Int32Array.from(m));
}
