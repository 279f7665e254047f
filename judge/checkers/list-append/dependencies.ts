import type { EdgeList } from "./graph.ts";
import { INITIAL, RW, WR, WW } from "./graph.ts";
import type { Txns } from "./txns.ts";
import { readList } from "./versions.ts";
import type { KeyHistory, Versions } from "./versions.ts";

/**
 * ww, wr and rw edges from each usable key's version order (Adya's direct dependencies, as Elle's list-append infers
 * them). Only ok transactions are nodes. An element appended by an info op (it may or may not have committed) or
 * by a failed op still holds its place in the order, and edges pass over it to the nearest ok appender: e.g. ok A
 * appended 1, info I appended 2, ok B appended 3 gives A -ww-> B. Every such edge is implied by the Adya graph
 * with I in it, so no cycle is invented; a cycle that needs I as a vertex is not found.
 *
 * Appends by ok transactions that no read saw come after the longest read (appends are never lost, or the reads
 * would disagree): they get ww from the last ok appender and rw from every read of the whole order, as in Elle.
 */
export function addDependencyEdges(txns: Txns, versions: Versions, edges: EdgeList): void {
  for (const history of versions.keys.values()) {
    if (history.position !== null) addKeyEdges(txns, history, edges);
  }
}

function addKeyEdges(txns: Txns, history: KeyHistory, edges: EdgeList): void {
  const order = history.order;
  const n = order.length;
  const key = history.key;
  // okNode[p]: node of the ok txn that appended order[p], or -1.
  const okNode = new Int32Array(n);
  const appendMop = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    const pos = history.appender.get(order[p]!)!;
    okNode[p] = txns.nodeOfOp[pos]!;
    appendMop[p] = mopIndexOf(txns, pos, key, order[p]!);
  }
  // prevOk[p]: last position <= p with an ok appender; nextOk[p]: first position >= p with one (n: none).
  const prevOk = new Int32Array(n);
  const nextOk = new Int32Array(n + 1);
  for (let p = 0, last = -1; p < n; p++) {
    if (okNode[p]! >= 0) last = p;
    prevOk[p] = last;
  }
  nextOk[n] = -1;
  for (let p = n - 1; p >= 0; p--) nextOk[p] = okNode[p]! >= 0 ? p : nextOk[p + 1]!;

  const unobserved = unobservedOkAppends(txns, history);
  const lastOk = n > 0 ? prevOk[n - 1]! : -1;

  // ww: consecutive ok appenders in the order, then the last one before every unobserved append.
  for (let p = 0, last = -1; p < n; p++) {
    const node = okNode[p]!;
    if (node < 0) continue;
    if (last >= 0 && okNode[last] !== node) edges.addData(okNode[last]!, node, WW, key, order[last]!, order[p]!, appendMop[p]!);
    last = p;
  }
  for (let u = 0; u < unobserved.length; u += 3) {
    if (lastOk >= 0 && okNode[lastOk] !== unobserved[u]) edges.addData(okNode[lastOk]!, unobserved[u]!, WW, key, order[lastOk]!, unobserved[u + 1]!, unobserved[u + 2]!);
  }

  // wr and rw from each ok read.
  for (let r = 0; r < history.readOps.length; r++) {
    const pos = history.readOps[r]!;
    const reader = txns.nodeOfOp[pos]!;
    if (reader < 0) continue;
    const mop = history.readMops[r]!;
    const m = readList(txns, pos, mop).length;
    const seenLast = m > 0 ? order[m - 1]! : INITIAL;
    if (m > 0) {
      const w = prevOk[m - 1]!;
      // A read whose latest visible ok append is its own has no external write dependency (as in Elle).
      if (w >= 0 && okNode[w] !== reader) edges.addData(okNode[w]!, reader, WR, key, order[w]!, order[w]!, mop);
    }
    const next = nextOk[m]!;
    if (next >= 0) {
      if (okNode[next] !== reader) edges.addData(reader, okNode[next]!, RW, key, seenLast, order[next]!, mop);
    } else {
      for (let u = 0; u < unobserved.length; u += 3) {
        if (unobserved[u] !== reader) edges.addData(reader, unobserved[u]!, RW, key, seenLast, unobserved[u + 1]!, mop);
      }
    }
  }
}

/** [node, element, mop index, ...] for ok appends to this key that are not in its order. */
function unobservedOkAppends(txns: Txns, history: KeyHistory): number[] {
  if (history.appender.size === history.order.length) return [];
  const out: number[] = [];
  for (const [element, pos] of history.appender) {
    const node = txns.nodeOfOp[pos]!;
    if (node >= 0 && !history.position!.has(element)) out.push(node, element, mopIndexOf(txns, pos, history.key, element));
  }
  return out;
}

function mopIndexOf(txns: Txns, pos: number, key: number, element: number): number {
  const mops = txns.mops[pos]!;
  for (let m = 0; m < mops.length; m++) {
    const mop = mops[m]!;
    if (mop[0] === "append" && mop[1] === key && mop[2] === element) return m;
  }
  return -1;
}
