import type { Problem } from "../result.ts";
import type { ListAppendMop, WorkloadOp } from "../workload-op.ts";

/**
 * The list-append ops of a history, checked and numbered. Validation is by hand rather than with zod: it runs once
 * per micro-op of 100,000-op histories, and the messages name the micro-op.
 */
export interface Txns {
  /** Ops sorted by index (a copy only when the input was not sorted). */
  ops: readonly WorkloadOp[];
  /** Per op position: its micro-ops (empty for an op with a problem). */
  mops: readonly (readonly ListAppendMop[])[];
  /** Per op position: its node id in the dependency graph when ok, else -1. Only ok transactions are nodes. */
  nodeOfOp: Int32Array;
  /** Per node: its op position. */
  opOfNode: Int32Array;
  problems: Problem[];
}

/** The line an op is on: the format numbers ops by their line (index = line - 1). */
export function lineOf(op: WorkloadOp): number {
  return op.index + 1;
}

export function readTxns(input: readonly WorkloadOp[]): Txns {
  const ops = isSortedByIndex(input) ? input : [...input].sort((a, b) => a.index - b.index);
  const problems: Problem[] = [];
  const mops: (readonly ListAppendMop[])[] = new Array(ops.length);
  const nodeOfOp = new Int32Array(ops.length).fill(-1);
  const opOfNode: number[] = [];
  let previousIndex = -1;
  for (let pos = 0; pos < ops.length; pos++) {
    const op = ops[pos]!;
    const line = lineOf(op);
    mops[pos] = [];
    if (op.index === previousIndex) {
      problems.push({ line, message: `index ${op.index} is used by two ops` });
      continue;
    }
    previousIndex = op.index;
    if (op.f !== "txn") {
      problems.push({ line, message: `f: expected "txn" in a list-append history, got ${JSON.stringify(op.f)}` });
      continue;
    }
    if (!Number.isFinite(op.invokeMs) || (op.completeMs !== null && !Number.isFinite(op.completeMs))) {
      problems.push({ line, message: `invokeMs ${op.invokeMs} / completeMs ${op.completeMs}: expected finite numbers of ms` });
      continue;
    }
    if (op.completeMs === null ? op.type !== "info" : op.completeMs < op.invokeMs) {
      const message = op.completeMs === null ? `completeMs: null is only allowed for type "info", this op is "${op.type}"` : `completeMs ${op.completeMs} is before invokeMs ${op.invokeMs}`;
      problems.push({ line, message });
      continue;
    }
    const checked = checkMops(op);
    if (typeof checked === "string") {
      problems.push({ line, message: checked });
      continue;
    }
    mops[pos] = checked;
    if (op.type === "ok") {
      nodeOfOp[pos] = opOfNode.length;
      opOfNode.push(pos);
    }
  }
  return { ops, mops, nodeOfOp, opOfNode: Int32Array.from(opOfNode), problems };
}

function isSortedByIndex(ops: readonly WorkloadOp[]): boolean {
  for (let i = 1; i < ops.length; i++) if (ops[i]!.index < ops[i - 1]!.index) return false;
  return true;
}

/** The micro-ops, or a message naming the first bad one and what was expected. */
function checkMops(op: WorkloadOp): readonly ListAppendMop[] | string {
  const value = op.value;
  if (!Array.isArray(value)) return `value: expected an array of micro-ops, got ${show(value)}`;
  for (let i = 0; i < value.length; i++) {
    const mop: unknown = value[i];
    const expected = `value[${i}]: expected ["append", key, element] or ["r", key, list | null] with integer key and elements, got ${show(mop)}`;
    if (!Array.isArray(mop) || mop.length !== 3 || !Number.isSafeInteger(mop[1])) return expected;
    if (mop[0] === "append") {
      if (!Number.isSafeInteger(mop[2])) return expected;
    } else if (mop[0] === "r") {
      const list: unknown = mop[2];
      if (list === null) {
        if (op.type === "ok") return `value[${i}]: the read of key ${mop[1]} has no list, but the transaction is ok (a committed read must say what it saw)`;
      } else if (!Array.isArray(list) || !list.every((e) => Number.isSafeInteger(e))) {
        return expected;
      }
    } else {
      return expected;
    }
  }
  return value as ListAppendMop[];
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
