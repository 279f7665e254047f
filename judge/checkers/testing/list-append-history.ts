import type { ListAppendMop, OpType, WorkloadOp } from "../workload-op.ts";
import { plantedOps } from "./planted.ts";
import type { PlantKind } from "./planted.ts";

/**
 * Synthetic list-append histories shaped like Elle's workload (elle.txn/wr-txns): transactions of 1-4 micro-ops,
 * each a read or an append, over a small pool of active keys with a skewed choice (the first keys are the hottest);
 * a key retires after about 100 appends and a fresh one takes its place.
 *
 * - "serializable": the database runs transactions one at a time, each at its serialization time; every op's
 *   [invokeMs, completeMs] window contains that time and never overlaps its process's neighbours, so the history is
 *   strict serializable whatever the windows are.
 * - "snapshot-isolation": reads from a snapshot taken at invocation (plus the transaction's own appends), appends
 *   land at completion, and a transaction whose appended key got another commit after its snapshot fails
 *   (first-committer-wins): strong snapshot isolation, so write skew (G2-item) but never G-single.
 * - "lost-updates": a database that reads from a snapshot taken at invocation and applies appends at completion
 *   without checking write conflicts (snapshot isolation minus first-committer-wins): lost updates and G-single
 *   everywhere, the case a checker's search has to survive.
 * `plant` adds small histories with one known anomaly each, on keys of their own (testing/planted.ts).
 */
export interface HistoryOptions {
  txns: number;
  /** Concurrent clients; each runs one op at a time. */
  processes: number;
  seed: number;
  mode?: "serializable" | "snapshot-isolation" | "lost-updates";
  activeKeys?: number;
  /** Mean appends before a key retires (each key draws from [mean/2, 3 mean/2]). */
  appendsPerKey?: number;
  /** Fraction of transactions that fail (never applied). */
  failRate?: number;
  /** Fraction whose outcome is unknown (applied or not, half each; reads unknown). */
  infoRate?: number;
  /** Time between serialization points, ms. */
  stepMs?: number;
  plant?: { every: number; kinds: readonly PlantKind[] };
}

/** A small deterministic PRNG (mulberry32), so a seed always gives the same history. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Draft {
  process: number;
  type: OpType;
  invokeMs: number;
  completeMs: number | null;
  mops: ListAppendMop[];
  /** For info ops: whether the database applied it. */
  applied: boolean;
}

export function generateListAppendHistory(options: HistoryOptions): WorkloadOp[] {
  const rand = random(options.seed);
  const stepMs = options.stepMs ?? 1;
  const activeKeys = options.activeKeys ?? 8;
  const appendsPerKey = options.appendsPerKey ?? 100;
  const failRate = options.failRate ?? 0;
  const infoRate = options.infoRate ?? 0;
  const mode = options.mode ?? "serializable";

  // Keys: the active pool, each with its count of appends so far and its retirement point.
  let nextKey = 0;
  const pool: { key: number; appends: number; retireAt: number }[] = [];
  const freshKey = () => ({ key: nextKey++, appends: 0, retireAt: Math.round(appendsPerKey * (0.5 + rand())) });
  for (let k = 0; k < activeKeys; k++) pool.push(freshKey());

  // Draw transactions in serialization order, each given to a random process.
  const drafts: Draft[] = [];
  const serialMs: number[] = [];
  for (let i = 0; i < options.txns; i++) {
    const length = 1 + Math.floor(rand() * 4);
    const mops: ListAppendMop[] = [];
    for (let m = 0; m < length; m++) {
      const slot = Math.floor(activeKeys * rand() * rand());
      if (rand() < 0.5) {
        mops.push(["r", pool[slot]!.key, null]);
        continue;
      }
      if (pool[slot]!.appends >= pool[slot]!.retireAt) pool[slot] = freshKey();
      const entry = pool[slot]!;
      mops.push(["append", entry.key, ++entry.appends]);
    }
    const roll = rand();
    const type: OpType = roll < failRate ? "fail" : roll < failRate + infoRate ? "info" : "ok";
    drafts.push({ process: Math.floor(rand() * options.processes), type, invokeMs: 0, completeMs: 0, mops, applied: type === "ok" || (type === "info" && rand() < 0.5) });
    serialMs.push((i + 1) * stepMs);
  }
  placeWindows(drafts, serialMs, rand);
  if (mode === "serializable") runSerially(drafts);
  else if (mode === "snapshot-isolation") runSnapshotIsolation(drafts);
  else runWithoutConflictChecks(drafts);

  const extra = options.plant === undefined ? [] : plant(options.plant, options.txns, stepMs, options.processes, rand);
  return finish([...drafts, ...extra]);
}

/**
 * Gives each op a window around its serialization time that stays between its process's previous and next ops, so
 * processes stay sequential and the realtime order never contradicts the serial one.
 */
function placeWindows(drafts: Draft[], serialMs: number[], rand: () => number): void {
  const lastOf = new Map<number, number>();
  const previous = new Int32Array(drafts.length).fill(-1);
  const next = new Int32Array(drafts.length).fill(-1);
  drafts.forEach((draft, i) => {
    const last = lastOf.get(draft.process);
    if (last !== undefined) {
      previous[i] = last;
      next[last] = i;
    }
    lastOf.set(draft.process, i);
  });
  drafts.forEach((draft, i) => {
    const s = serialMs[i]!;
    const lower = previous[i]! >= 0 ? (serialMs[previous[i]!]! + s) / 2 : s - 2;
    const upper = next[i]! >= 0 ? (serialMs[next[i]!]! + s) / 2 : s + 2;
    // Round to microseconds as a recorder would, keeping the bounds strict.
    draft.invokeMs = round3(s - rand() * (s - lower) * 0.98);
    draft.completeMs = round3(s + rand() * (upper - s) * 0.98);
  });
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Each applied transaction runs alone at its serialization point; reads see everything applied before. */
function runSerially(drafts: Draft[]): void {
  const lists = new Map<number, number[]>();
  for (const draft of drafts) {
    if (!draft.applied) {
      draft.mops = draft.mops.map(hideRead);
      continue;
    }
    for (let m = 0; m < draft.mops.length; m++) {
      const mop = draft.mops[m]!;
      const list = lists.get(mop[1]) ?? [];
      lists.set(mop[1], list);
      if (mop[0] === "append") list.push(mop[2]);
      else draft.mops[m] = ["r", mop[1], draft.type === "ok" ? [...list] : null];
    }
  }
}

/** Reads see what committed before the transaction was invoked; appends land at completion. */
function runWithoutConflictChecks(drafts: Draft[]): void {
  const commits = drafts.filter((d) => d.applied).sort((a, b) => a.completeMs! - b.completeMs!);
  // Per key: elements in commit order and when each committed.
  const log = new Map<number, { elements: number[]; atMs: number[] }>();
  for (const draft of commits) {
    for (const mop of draft.mops) {
      if (mop[0] !== "append") continue;
      const entry = log.get(mop[1]) ?? { elements: [], atMs: [] };
      log.set(mop[1], entry);
      entry.elements.push(mop[2]);
      entry.atMs.push(draft.completeMs!);
    }
  }
  for (const draft of drafts) {
    if (draft.type !== "ok") {
      draft.mops = draft.mops.map(hideRead);
      continue;
    }
    // Reads first: a read after the transaction's own append would show [snapshot.., own], a version that the
    // later commits of others make impossible (incompatible-order), and this mode is about lost updates.
    const reads = draft.mops.filter((mop) => mop[0] === "r");
    const appends = draft.mops.filter((mop) => mop[0] === "append");
    draft.mops = [
      ...reads.map((mop): ListAppendMop => {
        const entry = log.get(mop[1]);
        const visible = entry === undefined ? 0 : countBefore(entry.atMs, draft.invokeMs);
        return ["r", mop[1], snapshot(entry, visible, draft, mop[1])];
      }),
      ...appends,
    ];
  }
}

/** First committer wins: a transaction fails when a key it appends to got a commit after its snapshot. */
function runSnapshotIsolation(drafts: Draft[]): void {
  const log = new Map<number, { elements: number[]; atMs: number[] }>();
  for (const draft of [...drafts].sort((a, b) => a.completeMs! - b.completeMs!)) {
    if (!draft.applied) continue;
    const conflict = draft.mops.some((mop) => mop[0] === "append" && (log.get(mop[1])?.atMs.at(-1) ?? Number.NEGATIVE_INFINITY) > draft.invokeMs);
    if (conflict && draft.type === "ok") {
      draft.type = "fail";
      draft.applied = false;
      continue;
    }
    if (conflict) {
      draft.applied = false;
      continue;
    }
    for (const mop of draft.mops) {
      if (mop[0] !== "append") continue;
      const entry = log.get(mop[1]) ?? { elements: [], atMs: [] };
      log.set(mop[1], entry);
      entry.elements.push(mop[2]);
      entry.atMs.push(draft.completeMs!);
    }
  }
  for (const draft of drafts) {
    if (draft.type !== "ok") {
      draft.mops = draft.mops.map(hideRead);
      continue;
    }
    const own = new Map<number, number[]>();
    draft.mops = draft.mops.map((mop): ListAppendMop => {
      if (mop[0] === "append") {
        own.set(mop[1], [...(own.get(mop[1]) ?? []), mop[2]]);
        return mop;
      }
      const entry = log.get(mop[1]);
      const visible = entry === undefined ? 0 : countBefore(entry.atMs, draft.invokeMs);
      return ["r", mop[1], [...snapshot(entry, visible, draft, mop[1]), ...(own.get(mop[1]) ?? [])]];
    });
  }
}

/** The first `visible` committed elements, less the transaction's own (a zero-length op commits at its own start). */
function snapshot(entry: { elements: number[] } | undefined, visible: number, draft: Draft, key: number): number[] {
  if (entry === undefined) return [];
  const own = new Set(draft.mops.flatMap((mop) => (mop[0] === "append" && mop[1] === key ? [mop[2]] : [])));
  return entry.elements.slice(0, visible).filter((element) => !own.has(element));
}

/**
 * How many of the ascending commit `times` are <= t: a commit at the very millisecond a transaction starts is in its
 * snapshot, so a process's next transaction always sees its previous one (strong session order).
 */
function countBefore(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function hideRead(mop: ListAppendMop): ListAppendMop {
  return mop[0] === "r" ? ["r", mop[1], null] : mop;
}

/** Planted histories every `every` transactions, on keys far from the generated ones and on processes of their own. */
function plant(spec: { every: number; kinds: readonly PlantKind[] }, txns: number, stepMs: number, processes: number, rand: () => number): Draft[] {
  const out: Draft[] = [];
  for (let at = spec.every, n = 0; at <= txns; at += spec.every, n++) {
    const kind = spec.kinds[n % spec.kinds.length]!;
    const keyBase = 1_000_000_000 + n * 10;
    const processBase = processes + n * 10;
    for (const op of plantedOps(kind, keyBase, at * stepMs + rand())) out.push({ ...op, process: processBase + op.process, applied: true });
  }
  return out;
}

/** Orders ops as a recorder writes them (by completion; never-completed ones last) and numbers them. */
function finish(drafts: Draft[]): WorkloadOp[] {
  const sorted = [...drafts].sort((a, b) => (a.completeMs ?? Number.POSITIVE_INFINITY) - (b.completeMs ?? Number.POSITIVE_INFINITY) || a.invokeMs - b.invokeMs);
  return sorted.map((d, index) => ({ index, process: d.process, f: "txn", type: d.type, invokeMs: d.invokeMs, completeMs: d.completeMs, value: d.mops }));
}
