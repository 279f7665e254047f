import type { TimelineBucket } from "../../core/history.ts";
import type { Scenario } from "../../scenario/scenario.ts";

interface Second {
  requests: number;
  errors: number;
}

/**
 * Watches closed timeline seconds for the scenario's safety stops. Reports the first condition that holds, once:
 * "devices: errors >= 100% for 10 s (from 23 s)". Memory: the last few seconds per class.
 */
export class SafetyMonitor {
  readonly #seconds = new Map<string, Map<number, Second>>();
  #tripped: string | undefined;

  constructor(
    private readonly stops: Scenario["safety"],
    /** Classes watched when a stop names none. */
    private readonly defaultClasses: readonly string[],
    private readonly onTrip: (why: string) => void,
  ) {}

  get tripped(): string | undefined {
    return this.#tripped;
  }

  observe(bucket: TimelineBucket): void {
    if (this.#tripped || this.stops.length === 0) return;
    const perSecond = this.#seconds.get(bucket.traffic) ?? new Map<number, Second>();
    this.#seconds.set(bucket.traffic, perSecond);
    const second = perSecond.get(bucket.second) ?? { requests: 0, errors: 0 };
    second.requests += bucket.requests;
    second.errors += bucket.fail + bucket.unknown;
    perSecond.set(bucket.second, second);
    const longestSeconds = Math.max(...this.stops.map((s) => Math.ceil(s.for / 1000)));
    for (const old of perSecond.keys()) if (old < bucket.second - longestSeconds) perSecond.delete(old);
    for (const stop of this.stops) {
      const watched = stop.traffic ? [stop.traffic] : this.defaultClasses;
      if (!watched.includes(bucket.traffic)) continue;
      const span = Math.ceil(stop.for / 1000);
      const window = Array.from({ length: span }, (_, i) => perSecond.get(bucket.second - i));
      const holds = window.every((s) => s !== undefined && s.requests > 0 && (100 * s.errors) / s.requests >= stop.errorPercentAtLeast);
      if (holds) {
        this.#tripped = `safety stop: ${bucket.traffic} errors >= ${stop.errorPercentAtLeast}% for ${span} s (seconds ${bucket.second - span + 1} to ${bucket.second})`;
        this.onTrip(this.#tripped);
        return;
      }
    }
  }
}
