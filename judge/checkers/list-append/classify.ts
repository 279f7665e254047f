import type { CycleBase, CycleSuffix } from "./anomaly-names.ts";
import { PROCESS, REALTIME, RW, WR } from "./graph.ts";

/**
 * Names a cycle from its edge types the way Elle's cycle explainer does (elle.txn/cycle-explainer): exactly one
 * rw edge is G-single; two or more are G2-item when some two are adjacent (the last edge counts as adjacent to the
 * first) and G-nonadjacent when none are; no rw edge is G1c with a wr edge and G0 without. A realtime edge adds
 * "-realtime", else a process edge adds "-process".
 */
export function classifyCycle(types: ArrayLike<number>): { base: CycleBase; suffix: CycleSuffix; name: string } {
  let rw = 0;
  let wr = 0;
  let realtime = false;
  let process = false;
  let adjacent = false;
  for (let i = 0; i < types.length; i++) {
    const type = types[i]!;
    if (type === RW) {
      rw++;
      if (types[(i + 1) % types.length] === RW) adjacent = true;
    } else if (type === WR) wr++;
    else if (type === REALTIME) realtime = true;
    else if (type === PROCESS) process = true;
  }
  const base: CycleBase = rw === 1 ? "G-single" : rw >= 2 ? (adjacent ? "G2-item" : "G-nonadjacent") : wr > 0 ? "G1c" : "G0";
  const suffix: CycleSuffix = realtime ? "-realtime" : process ? "-process" : "";
  return { base, suffix, name: base + suffix };
}
