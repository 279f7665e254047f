import { ErrorConditionWatch } from "../../core/error-condition.ts";
import type { TimelineBucket } from "../../core/history.ts";
import type { Scenario } from "../../scenario/scenario.ts";

/**
 * Watches closed timeline seconds for the scenario's safety stops (core/error-condition.ts judges them, as it judges
 * a restore step's `when`). Reports the first condition that holds, once:
 * "safety stop: devices errors >= 100% for 10 s (seconds 14 to 23)".
 */
export class SafetyMonitor {
  readonly #watch: ErrorConditionWatch;
  #tripped: string | undefined;

  constructor(
    stops: Scenario["safety"],
    /** Classes watched when a stop names none. */
    defaultClasses: readonly string[],
    private readonly onTrip: (why: string) => void,
  ) {
    this.#watch = new ErrorConditionWatch(stops, defaultClasses);
  }

  get tripped(): string | undefined {
    return this.#tripped;
  }

  observe(bucket: TimelineBucket): void {
    if (this.#tripped) return;
    const held = this.#watch.observe(bucket);
    if (!held) return;
    this.#tripped = `safety stop: ${held.text}`;
    this.onTrip(this.#tripped);
  }
}
