import { afterEach, describe, expect, it, vi } from "vitest";
import { InputError } from "../../core/errors.ts";
import type { History, TimelineBucket } from "../../core/history.ts";
import { executedPlanOf, startLines } from "../../engine/explore/executed-plan.ts";
import { StepTrigger } from "../../engine/runner/step-trigger.ts";
import type { StepCondition } from "../../faults/step-condition.ts";
import { evaluateSlos } from "../../judge/evaluate.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import onOutage from "../../scenarios/trackr/db-disk-restore-on-outage.ts";

/**
 * A restore step started on a condition (`when`): the trigger judged on recorded buckets with a fake clock, the
 * scenario's refusals of bad input, the failed row of a condition that never held, and the shrink's executed plan.
 */
const bucket = (second: number, requests: number, errors: number, traffic = "devices"): TimelineBucket => ({
  traffic,
  second,
  requests,
  ok: requests - errors,
  fail: errors,
  unknown: 0,
  causes: {},
  latency: {},
  freshnessChecks: 0,
  staleReads: 0,
});

/** A trigger on a fake run clock: `clock.ms` is what the harness would read now. */
function trigger(condition: StepCondition = { traffic: "devices", errorPercentAtLeast: 100, for: 3_000, within: 10_000 }, defaults: string[] = []) {
  const clock = { ms: 0 };
  return { clock, trigger: new StepTrigger(condition, defaults, () => clock.ms) };
}

/** Buckets of seconds `from..to` (inclusive), each closed and seen 200 ms after its second ends. */
function feed(t: ReturnType<typeof trigger>, from: number, to: number, errors: (second: number) => number): void {
  for (let s = from; s <= to; s++) {
    t.clock.ms = (s + 1) * 1000 + 200;
    t.trigger.observe(bucket(s, 30, errors(s)));
  }
}

afterEach(() => vi.useRealTimers());

describe("restore when: the trigger on recorded seconds", () => {
  it("starts at once when the condition already holds at `at` (seconds before `at` count), keeping when it first held", async () => {
    const t = trigger();
    feed(t, 0, 9, (s) => (s >= 5 ? 30 : 0));
    const outcome = await t.trigger.wait(20_000, new AbortController().signal);
    expect(outcome).toMatchObject({ kind: "held", heldAtMs: 8_200, atMs: 10_200 });
    expect(outcome.kind === "held" && outcome.held.text).toBe("devices errors >= 100% for 3 s (seconds 7 to 9)");
  });

  it("waits for the condition, and fires on the first second that completes the span, not before", async () => {
    const t = trigger();
    feed(t, 0, 4, (s) => (s >= 3 ? 30 : 0));
    const waiting = t.trigger.wait(20_000, new AbortController().signal);
    feed(t, 5, 5, () => 30);
    const outcome = await waiting;
    expect(outcome).toMatchObject({ kind: "held", heldAtMs: 6_200, atMs: 6_200 });
    expect(outcome.kind === "held" && [outcome.held.fromSecond, outcome.held.toSecond]).toEqual([3, 5]);
  });

  it("a condition that held and then stopped does not hold now; one success in a second breaks the span", async () => {
    const t = trigger();
    feed(t, 0, 6, (s) => (s >= 2 && s <= 4 ? 30 : 0));
    expect(t.trigger.current()).toBeUndefined();
    feed(t, 7, 9, (s) => (s === 8 ? 29 : 30));
    expect(t.trigger.current()).toBeUndefined();
    // A late bucket of an old second changes the past, not what holds now.
    t.trigger.observe(bucket(3, 5, 5));
    expect(t.trigger.current()).toBeUndefined();
  });

  it("watches the gated classes when the condition names none, and ignores other classes", async () => {
    const t = trigger({ errorPercentAtLeast: 50, for: 2_000, within: 5_000 }, ["devices"]);
    for (const s of [0, 1, 2]) t.trigger.observe(bucket(s, 10, 10, "abuser"));
    expect(t.trigger.current()).toBeUndefined();
    expect(t.trigger.text).toBe("devices errors >= 50% for 2 s");
    for (const s of [0, 1]) t.trigger.observe(bucket(s, 10, 5));
    expect(t.trigger.current()?.held.text).toBe("devices errors >= 50% for 2 s (seconds 0 to 1)");
  });

  it("ends at the deadline with what the watched class last did, never hangs", async () => {
    vi.useFakeTimers();
    const t = trigger();
    feed(t, 0, 9, (s) => (s % 2 === 0 ? 30 : 3));
    const waiting = t.trigger.wait(15_000, new AbortController().signal);
    t.clock.ms = 15_000;
    await vi.advanceTimersByTimeAsync(15_000);
    expect(await waiting).toEqual({ kind: "deadline", atMs: 15_000, lastSeen: "devices 10% errors (3 of 30) in second 9" });
  });

  it("re-arms a timer that fires before the run clock reaches the deadline", async () => {
    vi.useFakeTimers();
    const t = trigger();
    t.clock.ms = 1_000;
    const waiting = t.trigger.wait(3_000, new AbortController().signal);
    await vi.advanceTimersByTimeAsync(2_000); // the timer fires; the run clock has not moved
    let done = false;
    void waiting.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    t.clock.ms = 3_000;
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await waiting).toMatchObject({ kind: "deadline", lastSeen: "devices: no request completed" });
  });

  it("ends on abort (a signal or a safety stop) without firing", async () => {
    const t = trigger();
    const abort = new AbortController();
    const waiting = t.trigger.wait(60_000, abort.signal);
    abort.abort("safety");
    expect(await waiting).toEqual({ kind: "aborted" });
  });
});

describe("restore when: bad input refused before anything starts", () => {
  const file = "scenarios/trackr/db-disk-restore-on-outage.ts";
  type Mutable = ScenarioInput & { faults: Record<string, unknown>[] };
  const refusal = (data: unknown): string => {
    try {
      parseScenario(data, file);
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      return (error as Error).message;
    }
    throw new Error("scenario was accepted");
  };

  it("accepts the scenario: restore not before 40 s, when devices fail for 10 s, within 30 s", () => {
    const parsed = parseScenario(onOutage, file);
    expect(parsed.faults[1]).toMatchObject({ kind: "restore", at: 40_000, when: { traffic: "devices", errorPercentAtLeast: 100, for: 10_000, within: 30_000 } });
  });

  it("names an unknown traffic class at faults[i].when.traffic, with the class meant", () => {
    const bad = structuredClone(onOutage) as Mutable;
    (bad.faults[1]!.when as Record<string, unknown>).traffic = "device";
    const message = refusal(bad);
    expect(message).toContain(file);
    expect(message).toMatch(/at faults\[1\]\.when\.traffic: unknown traffic class "device"; did you mean "devices"\?/);
  });

  it("refuses a wait that would run into the fault-free tail, naming within and the most it may be", () => {
    const bad = structuredClone(onOutage) as Mutable;
    (bad.faults[1]!.when as Record<string, unknown>).within = "50s";
    expect(refusal(bad)).toContain(
      "at faults[1].when.within: the step waits until 1m30s (at 40s + within 50s), after 1m25s, the end of traffic (1m30s) minus the fault-free tail (5s): give within at most 45s",
    );
  });

  it("refuses a condition shorter than a second and a percent out of range, naming the fields", () => {
    const bad = structuredClone(onOutage) as Mutable;
    Object.assign(bad.faults[1]!.when as Record<string, unknown>, { for: "500ms", errorPercentAtLeast: 0 });
    const message = refusal(bad);
    expect(message).toMatch(/at faults\[1\]\.when\.for: expected at least 1s/);
    expect(message).toMatch(/at faults\[1\]\.when\.errorPercentAtLeast: /);
  });

  it("refuses `when` on a fault kind other than restore", () => {
    const bad = structuredClone(onOutage) as Mutable;
    bad.faults[0]!.when = { traffic: "devices", errorPercentAtLeast: 100, for: "10s", within: "20s" };
    expect(refusal(bad)).toContain(`at faults[0]: unknown key "when": only a restore step starts on a condition (kind "restore"); other faults start at "at"; known keys: kind, id, target, at, for`);
  });
});

describe("restore when: a condition that never held is the system's failure", () => {
  it("is a failed row <id>-when naming the condition, not a node-ready row", async () => {
    const history = {
      faults: [
        {
          id: "restore-db",
          kind: "restore",
          targets: ["db"],
          injectedAtMs: 70_000,
          healedAtMs: 70_000,
          mechanism: "waited; not run",
          notes: [],
          trigger: { condition: "devices errors >= 100% for 10 s", heldAtMs: null },
          systemFailure: "restore-db did not run: its condition (devices errors >= 100% for 10 s) never held from 40.0 s to 70.0 s",
        },
      ],
    } as unknown as History;
    const rows = await evaluateSlos([], history);
    expect(rows).toEqual([expect.objectContaining({ id: "restore-db-when", kind: "step-condition", verdict: "fail", target: "devices errors >= 100% for 10 s in time" })]);
  });
});

describe("restore when: shrink replays the executed schedule", () => {
  const when = { traffic: "devices", errorPercentAtLeast: 100, for: 10_000, within: 30_000 };
  const planned = {
    faults: [
      { id: "destroy-db", kind: "storage-destroy", targets: ["db"], atMs: 35_000, healAtMs: 40_000, template: { kind: "storage-destroy" } },
      { id: "restore-db", kind: "restore", targets: ["db"], atMs: 40_000, healAtMs: 85_000, template: { kind: "restore", backup: "b", when } },
    ],
  };

  it("a step its condition started runs at that time, without the condition", () => {
    const executed = executedPlanOf(planned, [
      { id: "destroy-db", calledAt: 35_000, injectedAt: 36_400, healCalledAt: 40_000, healedAt: 40_001 },
      { id: "restore-db", calledAt: 46_300, injectedAt: 46_300, healCalledAt: 85_000, healedAt: 85_001 },
    ]);
    const restore = executed.plan.faults[1]!;
    expect([restore.atMs, restore.healAtMs]).toEqual([46_300, 85_000]);
    expect(restore.template).toEqual({ kind: "restore", backup: "b" });
    expect(startLines(executed)).toContain("  condition: restore-db: started on its condition at 46.3 s (not before 40.0 s); replayed at 46.3 s without it");
  });

  it("a step whose condition never held keeps it and its planned times", () => {
    const executed = executedPlanOf(planned, [
      { id: "destroy-db", calledAt: 35_000, injectedAt: 36_400, healCalledAt: 40_000, healedAt: 40_001 },
      { id: "restore-db", injectedAt: 70_000, healedAt: 70_000 },
    ]);
    const restore = executed.plan.faults[1]!;
    expect([restore.atMs, restore.healAtMs]).toEqual([40_000, 85_000]);
    expect(restore.template).toEqual({ kind: "restore", backup: "b", when });
    expect(executed.triggers).toEqual(["restore-db: its condition never started it in the run; replayed with its condition, not before 40.0 s"]);
  });
});
