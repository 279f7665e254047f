import { ddmin } from "./ddmin.ts";
import { earliestKeepingOverlaps, keepOnly, movedTo, shiftedAll, shortened, withoutTarget, type Move } from "./shrink-moves.ts";
import type { ShrinkMoveKind, ShrinkResult, ShrinkStep } from "./shrink-log.ts";
import { planKey, summarizePlan, type ShrinkPlan } from "./shrink-plan.ts";

export interface CandidateOutcome {
  failed: boolean;
  /**
   * What failed, compared with the target signature. Use the failed SLOs (sloSignature), not the fault kinds:
   * dropping faults changes the kinds but not the failure.
   */
  signature: string;
}

export interface ShrinkOptions {
  plan: ShrinkPlan;
  /**
   * Runs the candidate once with exactly its faults, targets and times. `attempt` counts runs from 0 over the
   * whole shrink, distinct for every run (a seeded runner can derive its seed from it).
   */
  runCandidate(plan: ShrinkPlan, attempt: number): Promise<CandidateOutcome>;
  /** Default: the signature of the original plan's first failing run. */
  targetSignature?: string;
  /** Runs per candidate; it still fails when at least `minFailures` runs fail with the target signature. Default 3. */
  repeats?: number;
  /**
   * Failing runs (of `repeats`) a candidate needs to count as still failing. Default 1, the classic rule. On a noisy
   * host a harmless candidate that fails 1 run in 4 by noise alone passes the 1-of-3 rule 58 % of the time (seen
   * live: a shrink kept a lone stop that replayed 0 of 3); 2 of 3 takes it to 16 %.
   */
  minFailures?: number;
  /** Stop starting runs past either bound; the result is then the best plan so far, complete = false. */
  budget?: { runs?: number; ms?: number };
  onStep?(step: ShrinkStep): void;
  now?: () => number;
  /** Shortening stops here. Default 1 s. */
  minDurationMs?: number;
  /**
   * Moving earlier stops when the bisection interval is this narrow; shortening or moving a fault keeps at least
   * this much of each overlap it has (or all of a shorter one). Default 1 s.
   */
  timeResolutionMs?: number;
  /** No fault moves before this (e.g. the chaos phase's start). Default 0. */
  earliestMs?: number;
  /**
   * Ctrl-C: no run starts once it is aborted, and the run it cut short does not count; the result is the best plan
   * so far (complete = false), like a spent budget.
   */
  signal?: AbortSignal;
  /** Accept a candidate at its first failing run instead of running every repeat: cheaper, but the log's rate is then k/runs-so-far. Default false. */
  stopAtFirstFailure?: boolean;
}

class BudgetSpent extends Error {}

/**
 * Shrinks a failing fault plan: ddmin over the faults, then per fault shorten, move earlier and narrow targets (the
 * shape moves change sizes and times but never end an overlap the plan has: the overlaps ddmin kept stay visible),
 * round after round until a whole round keeps nothing (1-minimal over these moves) or the budget runs out. Every
 * accepted candidate is smaller than the one before, so the current plan is always the best so far.
 */
export async function shrink(options: ShrinkOptions): Promise<ShrinkResult> {
  const now = options.now ?? Date.now;
  const repeats = options.repeats ?? 3;
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new Error(`shrink: repeats must be a whole number >= 1; got ${repeats}`);
  const minFailures = options.minFailures ?? 1;
  if (!(Number.isInteger(minFailures) && minFailures >= 1 && minFailures <= repeats))
    throw new Error(`shrink: minFailures must be a whole number from 1 to repeats (${repeats}); got ${minFailures}`);
  const minDurationMs = options.minDurationMs ?? 1_000;
  const resolutionMs = Math.max(1, options.timeResolutionMs ?? 1_000);
  const earliestMs = options.earliestMs ?? 0;
  const startMs = now();
  const steps: ShrinkStep[] = [];
  let runs = 0;
  let target = options.targetSignature;
  let best = options.plan;
  // Per round: a flaky candidate rejected in one round gets another chance in the next, so a false "passes" cannot stick.
  let tried = new Map<string, boolean>();

  const budgetSpent = () =>
    options.signal?.aborted === true ||
    (options.budget?.runs !== undefined && runs >= options.budget.runs) || (options.budget?.ms !== undefined && now() - startMs >= options.budget.ms);

  const test = async (move: ShrinkMoveKind, candidate: Move): Promise<boolean> => {
    const key = planKey(candidate.plan);
    const known = tried.get(key);
    if (known !== undefined) return known;
    let stepRuns = 0;
    let failures = 0;
    let cutShort = false;
    const otherSignatures: string[] = [];
    for (let r = 0; r < repeats; r++) {
      if (budgetSpent()) {
        cutShort = true;
        break;
      }
      const outcome = await options.runCandidate(candidate.plan, runs);
      if (options.signal?.aborted) {
        cutShort = true;
        break;
      }
      runs += 1;
      stepRuns += 1;
      if (outcome.failed && target === undefined && move === "original") target = outcome.signature;
      if (outcome.failed && outcome.signature === target) failures += 1;
      else if (outcome.failed) otherSignatures.push(outcome.signature);
      if (failures >= minFailures && options.stopAtFirstFailure) break;
      // The remaining repeats cannot reach minFailures: the verdict is settled, the runs are saved.
      if (failures + (repeats - r - 1) < minFailures) break;
    }
    const accepted = failures >= minFailures;
    const step: ShrinkStep = {
      index: steps.length + 1,
      move,
      description: candidate.description,
      candidate: summarizePlan(candidate.plan),
      faults: candidate.plan.faults.length,
      runs: stepRuns,
      failures,
      otherSignatures,
      accepted,
      cutShort,
    };
    if (stepRuns > 0) {
      steps.push(step);
      options.onStep?.(step);
    }
    if (accepted) best = candidate.plan;
    else if (cutShort) throw new BudgetSpent();
    tried.set(key, accepted);
    return accepted;
  };

  const result = (reproduced: boolean, complete: boolean): ShrinkResult => ({
    plan: best,
    original: options.plan,
    reproduced,
    targetSignature: reproduced ? target : undefined,
    complete,
    ...(options.signal?.aborted ? { interrupted: true } : {}),
    steps,
    runs,
    wallMs: now() - startMs,
  });

  try {
    if (!(await test("original", { plan: options.plan, description: "the original plan" }))) return result(false, false);
  } catch (error) {
    if (error instanceof BudgetSpent) return result(false, false);
    throw error;
  }

  try {
    for (;;) {
      tried = new Map([[planKey(best), true]]);
      const before = planKey(best);
      await ddmin(best.faults, (subset) => test("drop", keepOnly(best, subset)));
      const ids = best.faults.map((f) => f.id);
      for (const id of ids) await shortenFault(id);
      // The whole plan first: a shift keeps every overlap, where one fault alone can only creep past the others.
      await moveAllEarlier();
      for (const id of ids) await moveEarlier(id);
      for (const id of ids) await narrowTargets(id);
      if (planKey(best) === before) return result(true, true);
    }
  } catch (error) {
    if (error instanceof BudgetSpent) return result(true, false);
    throw error;
  }

  async function shortenFault(id: string): Promise<void> {
    const next = () => shortened(best, id, minDurationMs, resolutionMs);
    for (let move = next(); move && (await test("shorten", move)); move = next());
  }

  async function moveAllEarlier(): Promise<void> {
    if (best.faults.length === 0) return;
    const firstMs = Math.min(...best.faults.map((f) => f.atMs));
    await bisectEarlier(firstMs - earliestMs, (byMs) => shiftedAll(best, byMs));
  }

  async function moveEarlier(id: string): Promise<void> {
    const fault = best.faults.find((f) => f.id === id);
    const lowestMs = earliestKeepingOverlaps(best, id, earliestMs, resolutionMs);
    if (!fault || lowestMs === undefined) return;
    const fromMs = fault.atMs;
    await bisectEarlier(fromMs - lowestMs, (byMs) => movedTo(best, id, fromMs - byMs));
  }

  /**
   * Straight to the largest move (`maxByMs` earlier), else bisect for the largest that still fails, down to the
   * time resolution. `moveBy` builds the candidate from the current best plan.
   */
  async function bisectEarlier(maxByMs: number, moveBy: (byMs: number) => Move | undefined): Promise<void> {
    if (maxByMs < resolutionMs) return;
    const whole = moveBy(maxByMs);
    if (whole && (await test("earlier", whole))) return;
    // Moved this much it passes; moved by `failsByMs` (already done) it fails.
    let passesByMs = maxByMs;
    let failsByMs = 0;
    while (passesByMs - failsByMs > resolutionMs) {
      const midByMs = Math.floor((passesByMs + failsByMs) / 2);
      const move = moveBy(midByMs - failsByMs);
      if (move && (await test("earlier", move))) failsByMs = midByMs;
      else passesByMs = midByMs;
    }
  }

  async function narrowTargets(id: string): Promise<void> {
    for (const target of best.faults.find((f) => f.id === id)?.targets ?? []) {
      const move = withoutTarget(best, id, target);
      if (move) await test("narrow", move);
    }
  }
}
