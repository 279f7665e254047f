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

/** Encodes ops given as parallel arrays (any order) into a trace sorted by start. */
export function encodeOpTrace(startMs: ArrayLike<number>, durationMs: ArrayLike<number>, letters: ArrayLike<number | string>, length: number): OpTrace {
  const order = Array.from({ length }, (_, i) => i).sort((a, b) => startMs[a]! - startMs[b]! || a - b);
  const startDeltaMs: number[] = new Array(length);
  const durations: number[] = new Array(length);
  let outcomes = "";
  let previous = 0;
  order.forEach((index, i) => {
    const start = Math.round(startMs[index]!);
    startDeltaMs[i] = start - previous;
    previous = start;
    durations[i] = Math.max(0, Math.round(durationMs[index]!));
    const letter = letters[index]!;
    outcomes += typeof letter === "string" ? letter : String.fromCharCode(letter);
  });
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
