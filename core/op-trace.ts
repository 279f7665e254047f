import { z } from "zod";

/**
 * Every op of one traffic class, columnar and sorted by start, so outage and failover times come from the ops'
 * own start and end times in ms (the per-second timeline stays for charts). Compact on purpose: history.json
 * holds about 10 bytes an op (delta-coded starts, whole-ms durations, one letter of outcome).
 */
export const OpTrace = z.object({
  /** Start of each op in ms from traffic start, as the difference from the previous op's start (the first from 0). */
  startDeltaMs: z.array(z.number().int()),
  /** Duration of each op, whole ms. */
  durationMs: z.array(z.number().int().min(0)),
  /** One letter per op: "o" ok, "f" fail, "u" unknown; upper case for a write. */
  outcomes: z.string(),
});
export type OpTrace = z.infer<typeof OpTrace>;

/** Which ops an SLO looks at. */
export type OpKind = "all" | "writes" | "reads";

/** Decoded ops of one class (filtered), sorted by start: parallel arrays, ms from traffic start. */
export interface Ops {
  readonly length: number;
  readonly startMs: Float64Array;
  readonly endMs: Float64Array;
  /** 1 when the op succeeded. */
  readonly ok: Uint8Array;
}

const LETTER = { ok: "o", fail: "f", unknown: "u" } as const;

/** One op's letter in `outcomes`. */
export function outcomeLetter(outcome: "ok" | "fail" | "unknown", write: boolean): string {
  const letter = LETTER[outcome];
  return write ? letter.toUpperCase() : letter;
}

/** Char codes of the letters (lower case; upper case is 32 less in ASCII). */
export const outcomeLetterCode = { ok: 111, fail: 102, unknown: 117 } as const;

/**
 * Indexes 0..length-1 in order of start, ties by index (a stable sort). Whole-ms starts, the usual case, avoid a
 * comparator called tens of millions of times for a long run: a counting sort when the starts span at most 4 ms per op
 * (one busy class: a few passes over the ops), else start and index packed exactly into one double each for the typed
 * array's native sort (when within 2^27 ms, 37 h, of each other and fewer than 2^26 ops). Anything else, a comparator.
 */
function orderByStart(startMs: ArrayLike<number>, length: number): ArrayLike<number> {
  if (length === 0) return [];
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let whole = true;
  for (let i = 0; i < length; i++) {
    const start = startMs[i]!;
    if (!Number.isInteger(start)) whole = false;
    if (start < min) min = start;
    if (start > max) max = start;
  }
  const span = max - min;
  if (whole && span < 4 * length) {
    const next = new Uint32Array(span + 2);
    for (let i = 0; i < length; i++) next[startMs[i]! - min + 1]!++;
    for (let s = 1; s < next.length; s++) next[s]! += next[s - 1]!;
    const order = new Uint32Array(length);
    for (let i = 0; i < length; i++) order[next[startMs[i]! - min]!++] = i;
    return order;
  }
  const indexBits = 2 ** 26;
  if (whole && length < indexBits && span < 2 ** 27) {
    const keys = new Float64Array(length);
    for (let i = 0; i < length; i++) keys[i] = (startMs[i]! - min) * indexBits + i;
    keys.sort();
    const order = new Uint32Array(length);
    for (let i = 0; i < length; i++) order[i] = keys[i]! % indexBits;
    return order;
  }
  return Array.from({ length }, (_, i) => i).sort((a, b) => startMs[a]! - startMs[b]! || a - b);
}

/** Encodes ops given as parallel arrays (any order) into a trace sorted by start. */
export function encodeOpTrace(startMs: ArrayLike<number>, durationMs: ArrayLike<number>, letters: ArrayLike<number | string>, length: number): OpTrace {
  const order = orderByStart(startMs, length);
  const startDeltaMs: number[] = new Array(length);
  const durations: number[] = new Array(length);
  const codes = new Uint16Array(length);
  let previous = 0;
  for (let i = 0; i < length; i++) {
    const index = order[i]!;
    const start = Math.round(startMs[index]!);
    startDeltaMs[i] = start - previous;
    previous = start;
    durations[i] = Math.max(0, Math.round(durationMs[index]!));
    const letter = letters[index]!;
    codes[i] = typeof letter === "string" ? letter.charCodeAt(0) : letter;
  }
  // Built in slices: a string grown one letter at a time is a rope of a million pieces until flattened.
  let outcomes = "";
  for (let from = 0; from < length; from += 8_192) outcomes += String.fromCharCode.apply(null, codes.subarray(from, Math.min(length, from + 8_192)) as unknown as number[]);
  return { startDeltaMs, durationMs: durations, outcomes };
}

/** The ops of a trace that `kind` selects, sorted by start. */
export function decodeOpTrace(trace: OpTrace, kind: OpKind = "all"): Ops {
  const n = trace.outcomes.length;
  const keep = (letter: string) => kind === "all" || (kind === "writes") === (letter === letter.toUpperCase());
  let count = 0;
  for (let i = 0; i < n; i++) if (keep(trace.outcomes[i]!)) count++;
  const startMs = new Float64Array(count);
  const endMs = new Float64Array(count);
  const ok = new Uint8Array(count);
  let start = 0;
  let j = 0;
  for (let i = 0; i < n; i++) {
    start += trace.startDeltaMs[i]!;
    const letter = trace.outcomes[i]!;
    if (!keep(letter)) continue;
    startMs[j] = start;
    endMs[j] = start + trace.durationMs[i]!;
    ok[j] = letter === "o" || letter === "O" ? 1 : 0;
    j++;
  }
  return { length: count, startMs, endMs, ok };
}
