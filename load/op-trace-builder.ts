import type { OpRecord } from "../core/history.ts";
import { encodeOpTrace, outcomeLetterCode, type OpTrace } from "../core/op-trace.ts";

/** Initial ops per class; the arrays double as they fill (9 bytes an op: 10 minutes at 4,200 ops/s is 23 MB). */
const INITIAL_CAPACITY = 4_096;

/** One class's ops as they stream in: start and duration in whole ms, one outcome letter code each. */
class ClassOps {
  length = 0;
  start = new Int32Array(INITIAL_CAPACITY);
  duration = new Int32Array(INITIAL_CAPACITY);
  letter = new Uint8Array(INITIAL_CAPACITY);

  add(startMs: number, durationMs: number, letter: number): void {
    if (this.length === this.start.length) this.grow();
    this.start[this.length] = startMs;
    this.duration[this.length] = durationMs;
    this.letter[this.length] = letter;
    this.length++;
  }

  private grow(): void {
    const grown = (old: Int32Array) => {
      const next = new Int32Array(old.length * 2);
      next.set(old);
      return next;
    };
    this.start = grown(this.start);
    this.duration = grown(this.duration);
    const letter = new Uint8Array(this.letter.length * 2);
    letter.set(this.letter);
    this.letter = letter;
  }
}

/**
 * Keeps every op of every class (start, duration, outcome, read or write) for the History's op trace, so SLO checks
 * can time outages in ms from the ops themselves. Ops may arrive in any order; encode() sorts them by start.
 */
export class OpTraceBuilder {
  readonly #classes = new Map<string, ClassOps>();

  constructor(private readonly trafficStartEpochMs: number) {}

  /** The class of the previous op: consecutive ops nearly always share it. */
  #lastTraffic: string | undefined;
  #lastOps: ClassOps | undefined;

  add(op: OpRecord): void {
    let ops = op.traffic === this.#lastTraffic ? this.#lastOps : this.#classes.get(op.traffic);
    if (!ops) {
      ops = new ClassOps();
      this.#classes.set(op.traffic, ops);
    }
    this.#lastTraffic = op.traffic;
    this.#lastOps = ops;
    // Upper case (32 less in ASCII) for a write: see outcomeLetter().
    ops.add(Math.round(op.startEpochMs - this.trafficStartEpochMs), Math.max(0, Math.round(op.durationMs)), outcomeLetterCode[op.outcome] - (op.op === "write" ? 32 : 0));
  }

  /** Ops kept so far, all classes. */
  get size(): number {
    let n = 0;
    for (const ops of this.#classes.values()) n += ops.length;
    return n;
  }

  encode(): Record<string, OpTrace> {
    return Object.fromEntries([...this.#classes].map(([traffic, ops]) => [traffic, encodeOpTrace(ops.start, ops.duration, ops.letter, ops.length)]));
  }
}
