import { performance } from "node:perf_hooks";

/** Thrown out of the search when the time budget is spent; the checker turns it into an unknown (or a fail). */
export class BudgetExhausted extends Error {}

/** A wall-clock budget. Loops call check() every few thousand steps, so overshoot is a few milliseconds. */
export class Budget {
  readonly #deadline: number;

  constructor(
    readonly startMs: number,
    readonly budgetMs: number,
  ) {
    this.#deadline = startMs + budgetMs;
  }

  check(): void {
    if (performance.now() > this.#deadline) throw new BudgetExhausted(`the ${this.budgetMs} ms budget ran out`);
  }

  elapsedMs(): number {
    return performance.now() - this.startMs;
  }
}
