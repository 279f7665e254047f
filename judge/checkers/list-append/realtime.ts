import type { EdgeList } from "./graph.ts";
import { PROCESS, REALTIME } from "./graph.ts";
import type { Txns } from "./txns.ts";

/**
 * Realtime edges A -> B when A completed before B was invoked (strictly: equal times are taken as concurrent), as a
 * transitive reduction built by Elle's sweep (elle.core/realtime-graph): walk invocations and completions in time
 * order keeping a frontier of completed transactions; an invocation gets an edge from each frontier member; a
 * completion removes from the frontier the members that have an edge to it (they are implied through it) and joins.
 * The frontier stays about as large as the concurrency, so edges ~ transactions x concurrency, not n².
 */
export function addRealtimeEdges(txns: Txns, edges: EdgeList): void {
  const n = txns.opOfNode.length;
  // Events: 2v = invocation of node v, 2v+1 = its completion. Invocations sort before completions at equal times.
  const events = new Int32Array(2 * n);
  const times = new Float64Array(2 * n);
  for (let v = 0; v < n; v++) {
    const op = txns.ops[txns.opOfNode[v]!]!;
    events[2 * v] = 2 * v;
    events[2 * v + 1] = 2 * v + 1;
    times[2 * v] = op.invokeMs;
    times[2 * v + 1] = op.completeMs!;
  }
  events.sort((a, b) => times[a]! - times[b]! || (a & 1) - (b & 1) || a - b);
  const frontier: number[] = [];
  const inFrontier = new Uint8Array(n);
  // Where each node's incoming realtime edges start and end in the edge list (added together at its invocation).
  const firstIn = new Int32Array(n);
  const endIn = new Int32Array(n);
  for (const event of events) {
    const v = event >> 1;
    if ((event & 1) === 0) {
      firstIn[v] = edges.count;
      for (const u of frontier) edges.add(u, v, REALTIME);
      endIn[v] = edges.count;
      continue;
    }
    let removed = 0;
    for (let e = firstIn[v]!; e < endIn[v]!; e++) {
      const u = edges.src[e]!;
      if (inFrontier[u] === 1) {
        inFrontier[u] = 0;
        removed++;
      }
    }
    if (removed > 0) {
      let kept = 0;
      for (const u of frontier) if (inFrontier[u] === 1) frontier[kept++] = u;
      frontier.length = kept;
    }
    frontier.push(v);
    inFrontier[v] = 1;
  }
}

/**
 * Process edges: each process's ok transactions in invocation order (a process runs one op at a time). Two that
 * overlap anyway (a recorder bug) get no edge: an order the history does not show is never assumed.
 */
export function addProcessEdges(txns: Txns, edges: EdgeList): void {
  const n = txns.opOfNode.length;
  const nodes = Int32Array.from({ length: n }, (_, v) => v);
  const opOf = (v: number) => txns.ops[txns.opOfNode[v]!]!;
  nodes.sort((a, b) => opOf(a).process - opOf(b).process || opOf(a).invokeMs - opOf(b).invokeMs || a - b);
  for (let i = 1; i < n; i++) {
    const a = nodes[i - 1]!;
    const b = nodes[i]!;
    if (opOf(a).process === opOf(b).process && opOf(a).completeMs! <= opOf(b).invokeMs) edges.add(a, b, PROCESS);
  }
}
