import type { Witness, WitnessTxn } from "../result.ts";
import type { WorkloadOp } from "../workload-op.ts";

/** An anomaly as a detector reports it; whether the model allows it is decided once, by the caller. */
export interface Found {
  name: string;
  count: number;
  witness: Witness;
}

export function witnessTxn(op: WorkloadOp): WitnessTxn {
  return { index: op.index, process: op.process, type: op.type, invokeMs: op.invokeMs, completeMs: op.completeMs, value: op.value };
}

/** The txn's name in prose: its op index, so a reader can find it in the history (line = index + 1). */
export function txnName(op: WorkloadOp): string {
  return `T${op.index}`;
}

/** "[1, 2, 3]", or "[.., 7, 8, 9]" for a long list: the tail is what the explanations are about. */
export function showList(list: readonly number[]): string {
  if (list.length <= 6) return `[${list.join(", ")}]`;
  return `[.., ${list.slice(-3).join(", ")}]`;
}

/** Keeps per name the witness with the fewest transactions (then the first found) and sums the counts. */
export class FoundSet {
  readonly #byName = new Map<string, Found>();

  add(found: Found): void {
    const existing = this.#byName.get(found.name);
    if (existing === undefined) {
      this.#byName.set(found.name, { ...found });
      return;
    }
    existing.count += found.count;
    if (size(found.witness) < size(existing.witness)) existing.witness = found.witness;
  }

  has(name: string): boolean {
    return this.#byName.has(name);
  }

  all(): Found[] {
    return [...this.#byName.values()];
  }
}

function size(witness: Witness): number {
  return Math.max(witness.edges.length, witness.txns.length);
}
