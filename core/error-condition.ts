import { z } from "zod";
import { boundedDuration } from "./duration.ts";
import type { TimelineBucket } from "./history.ts";

/**
 * A condition on the traffic's error rate, judged on the closed seconds of the timeline: a class's errors (fail +
 * unknown) were at least a percent of its requests in each of the last `for` seconds. Safety stops
 * (scenario/scenario.ts `SafetyStop`) and a restore step's `when` (faults/restore.ts) hold exactly these fields and
 * are judged by the same code, so "stop when writes fail for 10 s" and "restore when writes fail for 10 s" agree.
 */
export const errorConditionFields = {
  /** Traffic class watched; default every class that takes part in the gate. */
  traffic: z.string().min(1).optional(),
  /** Errors (fail + unknown) as a percent of requests in each second, at least. */
  errorPercentAtLeast: z.number().gt(0).max(100),
  /** ...for this many consecutive seconds (rounded up to whole seconds). */
  for: boundedDuration({ minMs: 1_000 }),
};
export const ErrorCondition = z.object(errorConditionFields).strict();
export type ErrorCondition = z.infer<typeof ErrorCondition>;

/** A condition that held: which one, on which class, over which seconds of the run clock. */
export interface ConditionHeld {
  /** Index of the condition in the list watched. */
  index: number;
  traffic: string;
  /** First and last second (from traffic start) of the span that held. */
  fromSecond: number;
  toSecond: number;
  /** "devices errors >= 100% for 10 s (seconds 36 to 45)". */
  text: string;
}

interface Second {
  requests: number;
  errors: number;
}

/** "devices errors >= 100% for 10 s", as a condition reads before it holds (traffic: the class or the default). */
export function describeCondition(condition: ErrorCondition, defaultClasses: readonly string[]): string {
  const classes = condition.traffic ?? (defaultClasses.length === 1 ? defaultClasses[0] : `any of ${defaultClasses.join(", ")}`);
  return `${classes} errors >= ${condition.errorPercentAtLeast}% for ${Math.ceil(condition.for / 1000)} s`;
}

/**
 * Watches timeline buckets for a list of error conditions. Pure: it sees only the buckets it is given (a second may
 * come in several buckets, e.g. late operations; they are summed before judging). Memory: the last few seconds per
 * class.
 */
export class ErrorConditionWatch {
  readonly #seconds = new Map<string, Map<number, Second>>();
  readonly #longestSeconds: number;

  constructor(
    private readonly conditions: readonly ErrorCondition[],
    /** Classes watched by a condition that names none. */
    private readonly defaultClasses: readonly string[],
  ) {
    this.#longestSeconds = Math.max(0, ...conditions.map((c) => Math.ceil(c.for / 1000)));
  }

  /** Adds a bucket; returns the first condition that holds over the seconds ending at the bucket's second. */
  observe(bucket: TimelineBucket): ConditionHeld | undefined {
    if (this.conditions.length === 0) return undefined;
    const perSecond = this.#seconds.get(bucket.traffic) ?? new Map<number, Second>();
    this.#seconds.set(bucket.traffic, perSecond);
    const second = perSecond.get(bucket.second) ?? { requests: 0, errors: 0 };
    second.requests += bucket.requests;
    second.errors += bucket.fail + bucket.unknown;
    perSecond.set(bucket.second, second);
    for (const old of perSecond.keys()) if (old < bucket.second - this.#longestSeconds) perSecond.delete(old);
    for (const [index, condition] of this.conditions.entries()) {
      const watched = condition.traffic ? [condition.traffic] : this.defaultClasses;
      if (!watched.includes(bucket.traffic)) continue;
      const span = Math.ceil(condition.for / 1000);
      const window = Array.from({ length: span }, (_, i) => perSecond.get(bucket.second - i));
      // A second with no completed request says nothing (an outage where requests hang past their timeout): no hold.
      const holds = window.every((s) => s !== undefined && s.requests > 0 && (100 * s.errors) / s.requests >= condition.errorPercentAtLeast);
      if (!holds) continue;
      const fromSecond = bucket.second - span + 1;
      return {
        index,
        traffic: bucket.traffic,
        fromSecond,
        toSecond: bucket.second,
        text: `${bucket.traffic} errors >= ${condition.errorPercentAtLeast}% for ${span} s (seconds ${fromSecond} to ${bucket.second})`,
      };
    }
    return undefined;
  }
}
