import type { Problem } from "../result.ts";
import type { ListAppendMop } from "../workload-op.ts";
import type { Found } from "./found.ts";
import { showList, txnName, witnessTxn } from "./found.ts";
import type { Txns } from "./txns.ts";
import { lineOf } from "./txns.ts";

/**
 * Per key: who appended what, every read, and the version order inferred from the reads (Elle's `sorted-values` and
 * `append-index`): appends add a unique element to the end of a list, so a read [1, 2, 3] shows the versions
 * [], [1], [1, 2], [1, 2, 3] in that order. The longest read holds the whole observed order; every other read must
 * be a prefix of it.
 */
export interface KeyHistory {
  key: number;
  /** Element -> op position of the op that appended it (any type: fail and info appends are kept). */
  appender: Map<number, number>;
  /** Elements that were not their appender's last append to this key (an intermediate version, G1b). */
  intermediate: Set<number>;
  /** Reads with a list, by ok and info ops (a fail op's reads never happened): op positions and micro-op indexes. */
  readOps: number[];
  readMops: number[];
  /** The longest read (empty when the key was never read with a non-empty list). */
  order: readonly number[];
  orderOp: number;
  orderMop: number;
  /** Element -> position in `order`; null when the order cannot be used for dependencies (see `usable`). */
  position: Map<number, number> | null;
  /** False when reads disagree on the order or the longest read repeats an element: no edges from this key. */
  usable: boolean;
}

export interface Versions {
  keys: Map<number, KeyHistory>;
  found: Found[];
  problems: Problem[];
}

export function inferVersions(txns: Txns): Versions {
  const keys = new Map<number, KeyHistory>();
  const problems: Problem[] = [];
  const keyOf = (key: number): KeyHistory => {
    let history = keys.get(key);
    if (history === undefined) {
      history = { key, appender: new Map(), intermediate: new Set(), readOps: [], readMops: [], order: [], orderOp: -1, orderMop: -1, position: null, usable: true };
      keys.set(key, history);
    }
    return history;
  };
  for (let pos = 0; pos < txns.ops.length; pos++) {
    const op = txns.ops[pos]!;
    const mops = txns.mops[pos]!;
    for (let m = 0; m < mops.length; m++) {
      const mop = mops[m]!;
      const history = keyOf(mop[1]);
      if (mop[0] === "append") {
        const element = mop[2];
        const first = history.appender.get(element);
        if (first !== undefined) {
          const where = first === pos ? "earlier in the same op" : `by op ${txns.ops[first]!.index}`;
          problems.push({ line: lineOf(op), message: `element ${element} appended to key ${mop[1]} twice (also ${where}): appends must be unique to infer versions` });
          continue;
        }
        history.appender.set(element, pos);
        if (appendsAgainLater(mops, m)) history.intermediate.add(element);
      } else if (mop[2] !== null && op.type !== "fail") {
        history.readOps.push(pos);
        history.readMops.push(m);
        if (mop[2].length > history.order.length) {
          history.order = mop[2];
          history.orderOp = pos;
          history.orderMop = m;
        }
      }
    }
  }
  const found: Found[] = [];
  const incompatible = { count: 0, first: null as Found | null };
  const duplicates = { count: 0, first: null as Found | null };
  for (const history of keys.values()) checkKey(txns, history, problems, incompatible, duplicates);
  if (incompatible.first !== null) found.push({ ...incompatible.first, count: incompatible.count });
  if (duplicates.first !== null) found.push({ ...duplicates.first, count: duplicates.count });
  return { keys, found, problems };
}

function appendsAgainLater(mops: readonly ListAppendMop[], m: number): boolean {
  const key = mops[m]![1];
  for (let later = m + 1; later < mops.length; later++) if (mops[later]![0] === "append" && mops[later]![1] === key) return true;
  return false;
}

interface Tally {
  count: number;
  first: Found | null;
}

/**
 * Order checks for one key. Counts: incompatible-order counts keys (Elle reports one pair per key);
 * duplicate-elements counts reads that repeat an element.
 */
function checkKey(txns: Txns, history: KeyHistory, problems: Problem[], incompatible: Tally, duplicates: Tally): void {
  const order = history.order;
  const position = new Map<number, number>();
  let firstRepeat = -1;
  for (let p = 0; p < order.length; p++) {
    if (position.has(order[p]!)) {
      if (firstRepeat < 0) firstRepeat = p;
    } else {
      position.set(order[p]!, p);
    }
  }
  let keyIncompatible = false;
  for (let r = 0; r < history.readOps.length; r++) {
    const pos = history.readOps[r]!;
    const read = readList(txns, pos, history.readMops[r]!);
    const prefix = isPrefix(read, order);
    if (!prefix && !keyIncompatible) {
      keyIncompatible = true;
      incompatible.count++;
      if (incompatible.first === null) incompatible.first = incompatibleCase(txns, history, pos, read);
    }
    const repeats = prefix ? (firstRepeat >= 0 && read.length > firstRepeat ? firstRepeat : -1) : firstRepeatIn(read);
    if (repeats >= 0) {
      duplicates.count++;
      if (duplicates.first === null) {
        const op = txns.ops[pos]!;
        duplicates.first = {
          name: "duplicate-elements",
          count: 1,
          witness: { summary: `${txnName(op)} read key ${history.key} = ${showList(read)}, which holds element ${read[repeats]} twice (each element is appended once)`, txns: [witnessTxn(op)], edges: [] },
        };
      }
    }
    if (!prefix) reportUnknownElements(txns, history, pos, read, problems);
  }
  reportUnknownElements(txns, history, history.orderOp, order, problems);
  history.usable = !keyIncompatible && firstRepeat < 0;
  history.position = history.usable ? position : null;
}

export function readList(txns: Txns, pos: number, mop: number): readonly number[] {
  return txns.mops[pos]![mop]![2] as readonly number[];
}

function isPrefix(read: readonly number[], order: readonly number[]): boolean {
  if (read.length > order.length) return false;
  for (let i = 0; i < read.length; i++) if (read[i] !== order[i]) return false;
  return true;
}

function firstRepeatIn(read: readonly number[]): number {
  const seen = new Set<number>();
  for (let i = 0; i < read.length; i++) {
    if (seen.has(read[i]!)) return i;
    seen.add(read[i]!);
  }
  return -1;
}

function incompatibleCase(txns: Txns, history: KeyHistory, pos: number, read: readonly number[]): Found {
  const op = txns.ops[pos]!;
  const longest = txns.ops[history.orderOp]!;
  const at = firstDifference(read, history.order);
  return {
    name: "incompatible-order",
    count: 1,
    witness: {
      summary:
        `${txnName(op)} read key ${history.key} = ${showList(read)} and ${txnName(longest)} read it = ${showList(history.order)}: ` +
        `they differ at position ${at} (${read[at] ?? "end"} vs ${history.order[at] ?? "end"}), so no single order of appends explains both`,
      txns: [witnessTxn(op), witnessTxn(longest)],
      edges: [],
    },
  };
}

function firstDifference(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** A read of an element no op appended: the history is corrupt or incomplete, so nothing can pass. */
function reportUnknownElements(txns: Txns, history: KeyHistory, pos: number, read: readonly number[], problems: Problem[]): void {
  for (const element of read) {
    if (!history.appender.has(element)) {
      problems.push({ line: lineOf(txns.ops[firstReaderOf(txns, history, element, pos)]!), message: `key ${history.key}: read element ${element}, which no op of the history appended` });
      return;
    }
  }
}

/** The earliest op (by index) that read `element` of this key, so the problem points at its first sighting. */
function firstReaderOf(txns: Txns, history: KeyHistory, element: number, fallback: number): number {
  let first = fallback;
  for (let r = 0; r < history.readOps.length; r++) {
    const pos = history.readOps[r]!;
    if (pos < first && readList(txns, pos, history.readMops[r]!).includes(element)) first = pos;
  }
  return first;
}
