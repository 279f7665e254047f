import type { OpRecord, TimelineBucket } from "../core/history.ts";
import { recordLatency } from "../core/latency-histogram.ts";

/**
 * Folds a stream of ops into one TimelineBucket per (traffic class, second since traffic start), emitting each
 * bucket once its second can no longer receive ops, so memory is bounded by the open seconds, never by the ops.
 *
 * Ops arrive out of order (many k6 VUs, several k6 processes), so a second stays open until `latenessMs` after
 * it ended. An op for a second that was already closed is a *late op*: it is counted in `lateOps` and emitted
 * as an extra bucket for that same second at the next `advance()`/`finish()`. Totals therefore stay exact, but
 * a consumer may see more than one bucket per (traffic, second) and must sum them (every field is additive;
 * histograms merge with mergeHistograms). Seconds without ops emit nothing: a missing second means no traffic.
 */
export class TimelineBuilder {
  private readonly open = new Map<string, TimelineBucket>();
  private readonly late = new Map<string, TimelineBucket>();
  /** Highest second already closed; ops at or below it are late. */
  private closedThroughSecond = Number.NEGATIVE_INFINITY;
  private finished = false;
  private lateOpCount = 0;
  /**
   * The open bucket the previous op went to: consecutive ops nearly always share a (traffic, second), and this skips
   * building the key and the map lookup for them. Cleared whenever buckets close.
   */
  private lastBucket: TimelineBucket | undefined;

  constructor(
    private readonly trafficStartEpochMs: number,
    private readonly onClosed: (bucket: TimelineBucket) => void,
    private readonly latenessMs = 3_000,
  ) {}

  /** Ops that arrived after their second was closed (each also emitted in an extra bucket). */
  get lateOps(): number {
    return this.lateOpCount;
  }

  /** Buckets currently held in memory (open seconds plus pending late buckets). */
  get openBuckets(): number {
    return this.open.size + this.late.size;
  }

  add(op: OpRecord): void {
    if (this.finished) throw new Error("TimelineBuilder.add() after finish()");
    const second = Math.floor((op.startEpochMs - this.trafficStartEpochMs) / 1000);
    let bucket = this.lastBucket;
    if (bucket === undefined || bucket.second !== second || bucket.traffic !== op.traffic) {
      const isLate = second <= this.closedThroughSecond;
      const buckets = isLate ? this.late : this.open;
      const key = `${op.traffic}\u0000${second}`;
      bucket = buckets.get(key);
      if (bucket === undefined) {
        bucket = { traffic: op.traffic, second, requests: 0, ok: 0, fail: 0, unknown: 0, causes: {}, latency: {}, freshnessChecks: 0, staleReads: 0 };
        buckets.set(key, bucket);
      }
      // Late buckets are never cached, so every late op is counted here.
      if (isLate) this.lateOpCount++;
      else this.lastBucket = bucket;
    }
    bucket.requests++;
    bucket[op.outcome]++;
    bucket.causes[op.cause] = (bucket.causes[op.cause] ?? 0) + 1;
    recordLatency(bucket.latency, op.durationMs);
    if (op.stale !== undefined) {
      bucket.freshnessChecks++;
      if (op.stale) bucket.staleReads++;
    }
  }

  /** Closes every second that ended more than latenessMs before `nowEpochMs` (call it about once a second). */
  advance(nowEpochMs: number): void {
    if (this.finished) return;
    // Second s ends at start + (s+1)*1000; it closes once that end is more than latenessMs in the past.
    const closableThrough = Math.ceil((nowEpochMs - this.latenessMs - this.trafficStartEpochMs) / 1000) - 2;
    if (closableThrough > this.closedThroughSecond) this.closedThroughSecond = closableThrough;
    this.emit((bucket) => bucket.second <= this.closedThroughSecond);
  }

  /** Closes everything still open, in order of second; later add() calls throw. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.closedThroughSecond = Number.POSITIVE_INFINITY;
    this.emit(() => true);
  }

  private emit(shouldClose: (bucket: TimelineBucket) => boolean): void {
    this.lastBucket = undefined;
    const closing: TimelineBucket[] = [...this.late.values()];
    this.late.clear();
    for (const [key, bucket] of this.open) {
      if (!shouldClose(bucket)) continue;
      closing.push(bucket);
      this.open.delete(key);
    }
    closing.sort((a, b) => a.second - b.second || (a.traffic < b.traffic ? -1 : a.traffic > b.traffic ? 1 : 0));
    for (const bucket of closing) this.onClosed(bucket);
  }
}
