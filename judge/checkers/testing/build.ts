import type { ListAppendMop, OpType, WorkloadOp } from "../workload-op.ts";

/**
 * Hand-made list-append histories for tests: `history(txn(a(X, 1), r(Y)), txn(r(X, 1)))`. Unless told otherwise
 * every op runs on a process of its own and all ops overlap in time (invoked at 0, completed at 100 + index), so
 * neither process nor realtime order adds edges.
 */
export const a = (key: number, element: number): ListAppendMop => ["append", key, element];
export const r = (key: number, ...elements: number[]): ListAppendMop => ["r", key, elements];
/** A read whose result is unknown (an info or failed transaction's). */
export const rNull = (key: number): ListAppendMop => ["r", key, null];

export interface TxnOptions {
  process?: number;
  type?: OpType;
  invokeMs?: number;
  /** null: never completed. */
  completeMs?: number | null;
}

export interface TxnDraft extends TxnOptions {
  mops: ListAppendMop[];
}

export function txn(...mops: ListAppendMop[]): TxnDraft {
  return { mops };
}

/** The same transaction with timing, process or type set. */
export function at(draft: TxnDraft, options: TxnOptions): TxnDraft {
  return { ...draft, ...options };
}

export function history(...drafts: TxnDraft[]): WorkloadOp[] {
  return drafts.map((d, index) => ({
    index,
    process: d.process ?? index,
    f: "txn",
    type: d.type ?? "ok",
    invokeMs: d.invokeMs ?? 0,
    completeMs: d.completeMs === undefined ? 100 + index : d.completeMs,
    value: d.mops,
  }));
}
