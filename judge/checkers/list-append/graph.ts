/**
 * The transaction dependency graph as flat typed arrays: nodes are ok transactions (0..n-1), each edge has exactly
 * one type bit, and data edges keep what explains them (key, the two elements, the micro-op) in side arrays. No
 * per-edge objects: a 100,000-transaction history has a few million edges once realtime order is in.
 */
export const WW = 1;
export const WR = 2;
export const RW = 4;
export const PROCESS = 8;
export const REALTIME = 16;
export const DATA = WW | WR | RW;

/**
 * Past this many edges the graph is not built and the verdict is unknown, so memory stays bounded: about 22 bytes
 * per edge with its adjacency copy, 450 MB at the cap.
 */
export const MAX_EDGES = 20_000_000;

export class GraphTooLarge extends Error {}

/** Element value meaning "the initial, empty list" in an rw edge's explanation. */
export const INITIAL = Number.NaN;

export class EdgeList {
  count = 0;
  src = new Int32Array(1024);
  dst = new Int32Array(1024);
  type = new Uint8Array(1024);
  /** Index into the info arrays, or -1 (process and realtime edges explain themselves from the ops). */
  info = new Int32Array(1024);
  infoCount = 0;
  infoKey = new Float64Array(256);
  /** ww: the element `src` appended; wr: the element `dst` read last; rw: the last element `src` read (INITIAL if none). */
  infoFrom = new Float64Array(256);
  /** ww and rw: the element `dst` appended; wr: the same as infoFrom. */
  infoTo = new Float64Array(256);
  /** The micro-op of the reading side (wr: dst's read, rw: src's read) or of the later append (ww: dst's). */
  infoMop = new Int32Array(256);

  add(src: number, dst: number, type: number): void {
    this.#push(src, dst, type, -1);
  }

  addData(src: number, dst: number, type: number, key: number, from: number, to: number, mop: number): void {
    if (this.infoCount === this.infoKey.length) {
      const size = this.infoKey.length * 2;
      this.infoKey = grow(this.infoKey, size);
      this.infoFrom = grow(this.infoFrom, size);
      this.infoTo = grow(this.infoTo, size);
      this.infoMop = grow(this.infoMop, size);
    }
    const i = this.infoCount++;
    this.infoKey[i] = key;
    this.infoFrom[i] = from;
    this.infoTo[i] = to;
    this.infoMop[i] = mop;
    this.#push(src, dst, type, i);
  }

  #push(src: number, dst: number, type: number, info: number): void {
    if (this.count === this.src.length) {
      if (this.count >= MAX_EDGES) throw new GraphTooLarge(`the dependency graph passed ${MAX_EDGES.toLocaleString("en-US")} edges`);
      const size = Math.min(this.src.length * 2, MAX_EDGES);
      this.src = grow(this.src, size);
      this.dst = grow(this.dst, size);
      this.type = grow(this.type, size);
      this.info = grow(this.info, size);
    }
    const e = this.count++;
    this.src[e] = src;
    this.dst[e] = dst;
    this.type[e] = type;
    this.info[e] = info;
  }
}

function grow<T extends Int32Array | Float64Array | Uint8Array>(array: T, size: number): T {
  const next = new (array.constructor as new (n: number) => T)(size);
  next.set(array);
  return next;
}

/** Adjacency in compressed sparse rows: node v's out-edges are [offsets[v], offsets[v + 1]). */
export interface Graph {
  nodeCount: number;
  edges: EdgeList;
  offsets: Int32Array;
  adjDst: Int32Array;
  adjType: Uint8Array;
  /** The edge id of each adjacency slot (to reach its explanation). */
  adjEdge: Int32Array;
}

/** Counting sort of the edges by source. */
export function toGraph(nodeCount: number, edges: EdgeList): Graph {
  const offsets = new Int32Array(nodeCount + 1);
  for (let e = 0; e < edges.count; e++) offsets[edges.src[e]! + 1]!++;
  for (let v = 0; v < nodeCount; v++) offsets[v + 1]! += offsets[v]!;
  const fill = offsets.slice(0, nodeCount);
  const adjDst = new Int32Array(edges.count);
  const adjType = new Uint8Array(edges.count);
  const adjEdge = new Int32Array(edges.count);
  for (let e = 0; e < edges.count; e++) {
    const slot = fill[edges.src[e]!]!++;
    adjDst[slot] = edges.dst[e]!;
    adjType[slot] = edges.type[e]!;
    adjEdge[slot] = e;
  }
  return { nodeCount, edges, offsets, adjDst, adjType, adjEdge };
}
