import { ErrorConditionWatch, describeCondition, type ConditionHeld } from "../../core/error-condition.ts";
import type { TimelineBucket } from "../../core/history.ts";
import type { StepCondition } from "../../faults/step-condition.ts";

export type TriggerOutcome =
  /** The condition held: observed at `heldAtMs` (run clock), over `held`'s seconds; the wait ended at `atMs`. */
  | { kind: "held"; held: ConditionHeld; heldAtMs: number; atMs: number }
  /** The deadline came first; `lastSeen` says what the watched classes did in their latest second. */
  | { kind: "deadline"; atMs: number; lastSeen: string }
  | { kind: "aborted" };

interface ClassState {
  /** Latest second seen, and its sums so far (a second may come in several buckets). */
  second: number;
  requests: number;
  errors: number;
  /** The condition as judged on the seconds ending at `second`: held, or not. */
  held: { held: ConditionHeld; atMs: number } | undefined;
}

/**
 * A step's `when`: fed every timeline bucket from the start of traffic (seconds before the step's `at` count toward
 * the condition), asked once the step is due whether the condition holds now, and otherwise waited on until it holds
 * or the deadline passes. "Now" is each watched class's latest second: a condition that held at 44 s and not at 45 s
 * no longer holds. The clock is passed in, so the logic runs on recorded buckets and a fake clock in tests.
 */
export class StepTrigger {
  readonly text: string;
  readonly #watch: ErrorConditionWatch;
  readonly #watched: readonly string[];
  readonly #classes = new Map<string, ClassState>();
  #waiter: ((held: { held: ConditionHeld; atMs: number }) => void) | undefined;

  constructor(
    readonly condition: StepCondition,
    /** Classes watched when the condition names none (the gated classes, as for a safety stop). */
    defaultClasses: readonly string[],
    private readonly nowMs: () => number,
  ) {
    this.#watch = new ErrorConditionWatch([condition], defaultClasses);
    this.#watched = condition.traffic ? [condition.traffic] : defaultClasses;
    this.text = describeCondition(condition, defaultClasses);
  }

  observe(bucket: TimelineBucket): void {
    const held = this.#watch.observe(bucket);
    if (!this.#watched.includes(bucket.traffic)) return;
    const state = this.#classes.get(bucket.traffic);
    // A late bucket of an older second changes the past, not what holds now.
    if (state && bucket.second < state.second) return;
    const same = state?.second === bucket.second;
    const next: ClassState = {
      second: bucket.second,
      requests: (same ? state.requests : 0) + bucket.requests,
      errors: (same ? state.errors : 0) + bucket.fail + bucket.unknown,
      held: held ? { held, atMs: this.nowMs() } : undefined,
    };
    // Still holding over a later second: it held since the first time it was seen to.
    if (held && state?.held) next.held = { held, atMs: state.held.atMs };
    this.#classes.set(bucket.traffic, next);
    if (next.held && this.#waiter) this.#waiter(next.held);
  }

  /** The condition as it stands over each watched class's latest second; undefined when it does not hold. */
  current(): { held: ConditionHeld; atMs: number } | undefined {
    for (const name of this.#watched) {
      const held = this.#classes.get(name)?.held;
      if (held) return held;
    }
    return undefined;
  }

  /** Waits until the condition holds (at once if it does now), `deadlineMs` on the run clock passes, or `signal` aborts. */
  wait(deadlineMs: number, signal: AbortSignal): Promise<TriggerOutcome> {
    if (signal.aborted) return Promise.resolve({ kind: "aborted" });
    const now = this.current();
    if (now) return Promise.resolve({ kind: "held", held: now.held, heldAtMs: now.atMs, atMs: this.nowMs() });
    return new Promise<TriggerOutcome>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: TriggerOutcome) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.#waiter = undefined;
        resolve(outcome);
      };
      const onAbort = () => finish({ kind: "aborted" });
      this.#waiter = (held) => finish({ kind: "held", held: held.held, heldAtMs: held.atMs, atMs: this.nowMs() });
      // A timer, not a poll: the clock is ours. Re-armed if it fires before the run clock reaches the deadline.
      const arm = () => {
        const remainingMs = deadlineMs - this.nowMs();
        if (remainingMs <= 0) finish({ kind: "deadline", atMs: this.nowMs(), lastSeen: this.lastSeen() });
        else timer = setTimeout(arm, remainingMs);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      arm();
    });
  }

  /** "devices 12% errors (3 of 25) in second 52", per watched class; what the deadline found. */
  lastSeen(): string {
    const seen = this.#watched.map((name) => {
      const s = this.#classes.get(name);
      if (!s) return `${name}: no request completed`;
      const percent = s.requests === 0 ? 0 : Math.round((100 * s.errors) / s.requests);
      return `${name} ${percent}% errors (${s.errors} of ${s.requests}) in second ${s.second}`;
    });
    return seen.join("; ");
  }
}
