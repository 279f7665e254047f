import type { EdgeType, Witness, WitnessEdge } from "../result.ts";
import type { WorkloadOp } from "../workload-op.ts";
import type { FoundCycle } from "./cycle-search.ts";
import { showList, txnName, witnessTxn } from "./found.ts";
import type { Graph } from "./graph.ts";
import { PROCESS, REALTIME, RW, WR, WW } from "./graph.ts";
import type { Txns } from "./txns.ts";
import type { Versions } from "./versions.ts";

const TYPE_NAMES: Record<number, EdgeType> = { [WW]: "ww", [WR]: "wr", [RW]: "rw", [PROCESS]: "process", [REALTIME]: "realtime" };

/**
 * A cycle as a witness: its transactions and each edge with the sentence that justifies it, e.g.
 * "T12 appended 5 to key 3 and T40 read key 3 = [.., 5]: T40 saw T12's write (wr)". The walk is rotated to start
 * at its lowest-index transaction so the same cycle always reads the same.
 */
export function cycleWitness(cycle: FoundCycle, g: Graph, txns: Txns, versions: Versions): Witness {
  const { edges } = g;
  const start = cycle.edges.reduce((best, e, i) => (opAt(txns, edges.src[e]!).index < opAt(txns, edges.src[cycle.edges[best]!]!).index ? i : best), 0);
  const walk = [...cycle.edges.slice(start), ...cycle.edges.slice(0, start)];
  const seen = new Set<number>();
  const txnList = [];
  for (const e of walk) {
    const v = edges.src[e]!;
    if (seen.has(v)) continue;
    seen.add(v);
    txnList.push(witnessTxn(opAt(txns, v)));
  }
  const witnessEdges: WitnessEdge[] = walk.map((e) => ({
    from: opAt(txns, edges.src[e]!).index,
    to: opAt(txns, edges.dst[e]!).index,
    type: TYPE_NAMES[edges.type[e]!]!,
    why: explainEdge(e, g, txns, versions),
  }));
  const names = walk.map((e) => `${txnName(opAt(txns, edges.src[e]!))} -${TYPE_NAMES[edges.type[e]!]}->`);
  return { summary: `${names.join(" ")} ${txnName(opAt(txns, edges.src[walk[0]!]!))}`, txns: txnList, edges: witnessEdges };
}

function opAt(txns: Txns, node: number): WorkloadOp {
  return txns.ops[txns.opOfNode[node]!]!;
}

export function explainEdge(e: number, g: Graph, txns: Txns, versions: Versions): string {
  const { edges } = g;
  const a = opAt(txns, edges.src[e]!);
  const b = opAt(txns, edges.dst[e]!);
  const [an, bn] = [txnName(a), txnName(b)];
  const type = edges.type[e]!;
  if (type === PROCESS) return `${an} and ${bn} ran on process ${a.process}, ${an} first (process)`;
  if (type === REALTIME) return `${an} completed at ${ms(a.completeMs!)} ms, before ${bn} was invoked at ${ms(b.invokeMs)} ms (realtime)`;
  const info = edges.info[e]!;
  const key = edges.infoKey[info]!;
  const from = edges.infoFrom[info]!;
  const to = edges.infoTo[info]!;
  const mop = edges.infoMop[info]!;
  const position = versions.keys.get(key)?.position ?? null;
  const at = (element: number) => (Number.isNaN(element) ? -1 : (position?.get(element) ?? Number.NaN));
  if (type === WR) {
    const read = (b.value as unknown[][])[mop]![2] as number[];
    return `${an} appended ${from} to key ${key} and ${bn} read key ${key} = ${showList(read)}: ${bn} saw ${an}'s write (wr)`;
  }
  if (type === WW) {
    const placed = placement(at(from), at(to), from, key);
    return `${an} appended ${from} to key ${key} and ${bn} appended ${to} ${placed}: ${bn}'s write follows ${an}'s (ww)`;
  }
  const read = (a.value as unknown[][])[mop]![2] as number[];
  const placed = Number.isNaN(from) ? (Number.isNaN(at(to)) ? "(which no read saw, so after the empty list it read)" : at(to) === 0 ? "as its first element" : "after elements of ops not known to have committed") : placement(at(from), at(to), from, key);
  return `${an} read key ${key} = ${showList(read)} and ${bn} appended ${to} ${placed}: ${an} did not see ${bn}'s write (rw)`;
}

/** Where an append sits relative to an earlier element in the key's order. */
function placement(fromAt: number, toAt: number, from: number, key: number): string {
  if (Number.isNaN(toAt)) return `(which no read saw, so after every element read of key ${key})`;
  if (toAt === fromAt + 1) return `right after ${from}`;
  return `after ${from} (past ${toAt - fromAt - 1} element(s) appended by ops not known to have committed)`;
}

function ms(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(3).replace(/0+$/, "");
}
