import type { ListAppendMop, WorkloadOp } from "../workload-op.ts";
import type { Found } from "./found.ts";
import { showList, txnName, witnessTxn } from "./found.ts";
import type { Txns } from "./txns.ts";
import type { KeyHistory, Versions } from "./versions.ts";
import { readList } from "./versions.ts";

/**
 * The anomalies that need no cycle (Elle's list-append g1a-cases, g1b-cases, internal-cases, lost-update-cases and
 * dirty-update-cases). What one counted case is:
 * - G1a: a committed read that saw at least one element appended by a failed op;
 * - G1b: a committed read whose last element was another transaction's non-final append to that key;
 * - internal / future-read: a transaction (its first offending read);
 * - lost-update: a (key, version) that two or more committed transactions read and then appended to;
 * - dirty-update: a committed append right after a failed one in a key's order.
 */
export function findNonCycleAnomalies(txns: Txns, versions: Versions): Found[] {
  const found: Found[] = [];
  const add = (tally: Tally) => {
    if (tally.first !== null) found.push({ ...tally.first, count: tally.count });
  };
  const g1a = newTally();
  const g1b = newTally();
  const dirty = newTally();
  for (const history of versions.keys.values()) {
    abortedReads(txns, history, g1a);
    intermediateReads(txns, history, g1b);
    dirtyUpdates(txns, history, dirty);
  }
  add(g1a);
  add(g1b);
  add(dirty);
  const internal = newTally();
  const future = newTally();
  for (let pos = 0; pos < txns.ops.length; pos++) {
    if (txns.ops[pos]!.type !== "ok") continue;
    internalRead(txns, pos, internal);
    futureRead(txns, pos, future);
  }
  add(internal);
  add(future);
  const lost = lostUpdates(txns);
  if (lost !== null) found.push(lost);
  return found;
}

interface Tally {
  count: number;
  first: Found | null;
}

function newTally(): Tally {
  return { count: 0, first: null };
}

function record(tally: Tally, make: () => Found): void {
  tally.count++;
  if (tally.first === null) tally.first = make();
}

/** G1a: an ok read saw an element whose appender failed (aborted read). */
function abortedReads(txns: Txns, history: KeyHistory, tally: Tally): void {
  const failedElement = (element: number) => txns.ops[history.appender.get(element) ?? -1]?.type === "fail";
  // On a usable key every read is a prefix of the order, so the first failed position decides for all reads.
  let firstFailed = -1;
  if (history.position !== null) {
    firstFailed = history.order.findIndex(failedElement);
    if (firstFailed < 0) return;
  }
  for (let r = 0; r < history.readOps.length; r++) {
    const pos = history.readOps[r]!;
    if (txns.ops[pos]!.type !== "ok") continue;
    const read = readList(txns, pos, history.readMops[r]!);
    const at = history.position !== null ? (read.length > firstFailed ? firstFailed : -1) : read.findIndex(failedElement);
    if (at < 0) continue;
    record(tally, () => {
      const reader = txns.ops[pos]!;
      const writer = txns.ops[history.appender.get(read[at]!)!]!;
      return {
        name: "G1a",
        count: 1,
        witness: {
          summary: `${txnName(reader)} read key ${history.key} = ${showList(read)}, which holds ${read[at]}, appended by ${txnName(writer)}, which failed: ${txnName(reader)} saw an aborted write (G1a)`,
          txns: [witnessTxn(writer), witnessTxn(reader)],
          edges: [],
        },
      };
    });
  }
}

/** G1b: an ok read ended at an element its appender overwrote later in the same transaction. */
function intermediateReads(txns: Txns, history: KeyHistory, tally: Tally): void {
  if (history.intermediate.size === 0) return;
  for (let r = 0; r < history.readOps.length; r++) {
    const pos = history.readOps[r]!;
    if (txns.ops[pos]!.type !== "ok") continue;
    const read = readList(txns, pos, history.readMops[r]!);
    if (read.length === 0) continue;
    const last = read[read.length - 1]!;
    const writerPos = history.appender.get(last);
    if (!history.intermediate.has(last) || writerPos === pos || writerPos === undefined) continue;
    record(tally, () => {
      const reader = txns.ops[pos]!;
      const writer = txns.ops[writerPos]!;
      const later = laterAppend(txns.mops[writerPos]!, history.key, last);
      return {
        name: "G1b",
        count: 1,
        witness: {
          summary: `${txnName(reader)} read key ${history.key} = ${showList(read)}, ending at ${last}, but ${txnName(writer)} appended ${later} to key ${history.key} after ${last} in the same transaction: ${txnName(reader)} saw an intermediate state (G1b)`,
          txns: [witnessTxn(writer), witnessTxn(reader)],
          edges: [],
        },
      };
    });
  }
}

function laterAppend(mops: readonly ListAppendMop[], key: number, element: number): number {
  let seen = false;
  let last = element;
  for (const mop of mops) {
    if (mop[0] !== "append" || mop[1] !== key) continue;
    if (seen) last = mop[2];
    if (mop[2] === element) seen = true;
  }
  return last;
}

/**
 * Dirty update: in a key's order, a committed append directly follows a failed one (info appends in between are
 * skipped, as Elle does: they may or may not have happened).
 */
function dirtyUpdates(txns: Txns, history: KeyHistory, tally: Tally): void {
  if (history.position === null) return;
  let previous: WorkloadOp | null = null;
  for (const element of history.order) {
    const op = txns.ops[history.appender.get(element)!]!;
    const before = previous?.type ?? "ok";
    if (op.type === "info" || (op.type === "fail" && before === "fail")) continue;
    if (op.type === "ok" && before === "fail") {
      const failed = previous!;
      record(tally, () => ({
        name: "dirty-update",
        count: 1,
        witness: {
          summary: `key ${history.key}: ${txnName(op)} (ok) appended ${element} after an element appended by ${txnName(failed)}, which failed: a committed write built on an aborted one (dirty update)`,
          txns: [witnessTxn(failed), witnessTxn(op)],
          edges: [],
        },
      }));
    }
    previous = op;
  }
}

/**
 * internal (Elle's op-int-case): a read disagrees with what the same transaction read and appended before it on that
 * key. With an earlier read the whole list is known; with only earlier appends, the list must end with them.
 */
function internalRead(txns: Txns, pos: number, tally: Tally): void {
  const mops = txns.mops[pos]!;
  if (mops.length < 2) return;
  for (let i = 1; i < mops.length; i++) {
    const mop = mops[i]!;
    if (mop[0] !== "r") continue;
    const key = mop[1];
    const appended: number[] = [];
    let base: readonly number[] | null = null;
    for (let j = i - 1; j >= 0; j--) {
      const earlier = mops[j]!;
      if (earlier[1] !== key) continue;
      if (earlier[0] === "append") appended.unshift(earlier[2]);
      else {
        base = earlier[2] as readonly number[];
        break;
      }
    }
    if (base === null && appended.length === 0) continue;
    const read = mop[2] as readonly number[];
    const expected = base === null ? null : [...base, ...appended];
    const ok = expected !== null ? sameList(read, expected) : endsWith(read, appended);
    if (ok) continue;
    record(tally, () => {
      const op = txns.ops[pos]!;
      const shown = expected !== null ? showList(expected) : `[.., ${appended.join(", ")}]`;
      return {
        name: "internal",
        count: 1,
        witness: {
          summary: `${txnName(op)} read key ${key} = ${showList(read)}, but its own earlier reads and appends of key ${key} say it must be ${shown} (internal inconsistency)`,
          txns: [witnessTxn(op)],
          edges: [],
        },
      };
    });
    return;
  }
}

/** future-read: a transaction read an element it appends only later (Elle's op-future-read-case). */
function futureRead(txns: Txns, pos: number, tally: Tally): void {
  const mops = txns.mops[pos]!;
  for (let i = 1; i < mops.length; i++) {
    const mop = mops[i]!;
    if (mop[0] !== "append") continue;
    for (let j = 0; j < i; j++) {
      const earlier = mops[j]!;
      if (earlier[0] !== "r" || earlier[1] !== mop[1] || !(earlier[2] as readonly number[]).includes(mop[2])) continue;
      record(tally, () => {
        const op = txns.ops[pos]!;
        return {
          name: "future-read",
          count: 1,
          witness: {
            summary: `${txnName(op)} read key ${mop[1]} = ${showList(earlier[2] as readonly number[])}, which holds ${mop[2]}, before appending ${mop[2]} itself: it saw its own future write`,
            txns: [witnessTxn(op)],
            edges: [],
          },
        };
      });
      return;
    }
  }
}

/**
 * lost-update (Elle's lost-update-cases): two or more committed transactions read the same version of a key and
 * each then appended to it, so each one's append ignored the other's. Only a transaction's first read of a key,
 * taken before its own first append to that key, counts.
 */
function lostUpdates(txns: Txns): Found | null {
  const groups = new Map<string, number[]>();
  for (let pos = 0; pos < txns.ops.length; pos++) {
    if (txns.ops[pos]!.type !== "ok") continue;
    const mops = txns.mops[pos]!;
    if (mops.length < 2) continue;
    for (let i = 0; i < mops.length; i++) {
      const mop = mops[i]!;
      if (mop[0] !== "r" || !isFirstTouchAndLaterAppended(mops, i)) continue;
      const read = mop[2] as readonly number[];
      const id = `${mop[1]}:${read.length}:${read[read.length - 1] ?? ""}`;
      const group = groups.get(id);
      if (group === undefined) groups.set(id, [pos, i]);
      else group.push(pos, i);
    }
  }
  let count = 0;
  let smallest: { key: number; read: readonly number[]; positions: number[] } | null = null;
  for (const group of groups.values()) {
    if (group.length < 4) continue;
    // Same key, length and last element: the same version unless reads disagree on the order (incompatible-order
    // reports that); split by content so a lost update is never claimed between different versions.
    for (const same of splitByContent(txns, group)) {
      if (same.positions.length < 2) continue;
      count++;
      if (smallest === null || same.positions.length < smallest.positions.length) smallest = same;
    }
  }
  if (smallest === null) return null;
  const ops = smallest.positions.map((pos) => txns.ops[pos]!);
  const appended = smallest.positions.map((pos) => `${txnName(txns.ops[pos]!)} appended ${firstAppend(txns.mops[pos]!, smallest.key)}`);
  return {
    name: "lost-update",
    count,
    witness: {
      summary: `${names(ops)} ${ops.length === 2 ? "both" : "all"} read key ${smallest.key} = ${showList(smallest.read)} and then appended to it (${appended.join(", ")}): each missed the other's write (lost update)`,
      txns: ops.map(witnessTxn),
      edges: [],
    },
  };
}

/** "T1 and T2", "T1, T2 and T3". */
function names(ops: readonly WorkloadOp[]): string {
  const all = ops.map(txnName);
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(", ")} and ${all.at(-1)!}`;
}

function isFirstTouchAndLaterAppended(mops: readonly ListAppendMop[], i: number): boolean {
  const key = mops[i]![1];
  for (let j = 0; j < i; j++) if (mops[j]![1] === key) return false;
  for (let j = i + 1; j < mops.length; j++) if (mops[j]![0] === "append" && mops[j]![1] === key) return true;
  return false;
}

function splitByContent(txns: Txns, group: readonly number[]): { key: number; read: readonly number[]; positions: number[] }[] {
  const parts: { key: number; read: readonly number[]; positions: number[] }[] = [];
  for (let g = 0; g < group.length; g += 2) {
    const mop = txns.mops[group[g]!]![group[g + 1]!]!;
    const read = mop[2] as readonly number[];
    const part = parts.find((p) => sameList(p.read, read));
    if (part === undefined) parts.push({ key: mop[1], read, positions: [group[g]!] });
    else if (!part.positions.includes(group[g]!)) part.positions.push(group[g]!);
  }
  return parts;
}

function firstAppend(mops: readonly ListAppendMop[], key: number): number {
  return mops.find((mop) => mop[0] === "append" && mop[1] === key)![2] as number;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function endsWith(list: readonly number[], tail: readonly number[]): boolean {
  if (list.length < tail.length) return false;
  const offset = list.length - tail.length;
  for (let i = 0; i < tail.length; i++) if (list[offset + i] !== tail[i]) return false;
  return true;
}
