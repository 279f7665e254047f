/**
 * The run's one clock. Its origin is the moment traffic starts; times before it (setup) are negative.
 * Until the origin is set, `nowMs()` is null and events carry wall time only.
 */
export class RunClock {
  #originEpochMs: number | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  /** Sets the origin (traffic start). Can be set once. */
  start(originEpochMs = this.now()): number {
    if (this.#originEpochMs !== undefined) throw new Error("run clock already started");
    this.#originEpochMs = originEpochMs;
    return originEpochMs;
  }

  get originEpochMs(): number | undefined {
    return this.#originEpochMs;
  }

  get started(): boolean {
    return this.#originEpochMs !== undefined;
  }

  /** ms since traffic start, or null before it. */
  nowMs(): number | null {
    return this.toRunMs(this.now());
  }

  /** Converts a wall-clock epoch ms to ms since traffic start (null before the origin is set). */
  toRunMs(epochMs: number): number | null {
    return this.#originEpochMs === undefined ? null : epochMs - this.#originEpochMs;
  }

  epochNow(): number {
    return this.now();
  }
}
