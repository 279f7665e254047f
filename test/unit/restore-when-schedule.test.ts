import { afterEach, describe, expect, it, vi } from "vitest";
import type { TimelineBucket } from "../../core/history.ts";
import type { RunEventBody } from "../../core/run-events.ts";
import { FaultSchedule } from "../../engine/runner/fault-schedule.ts";
import type { FaultContext, FaultHandle } from "../../faults/fault.ts";
import type { Plan } from "../../scenario/plan.ts";

/**
 * The schedule's side of a restore's `when`, on a fake run clock and recorded buckets: the step is injected only once
 * the condition holds (its call time is then), and a condition that never held ends the step at its deadline as the
 * system's failure. The injection itself is replaced (this is the scheduling logic, not the restore; the restore is
 * proven live in test/integration/trackr-restore-when.test.ts).
 */
const injected: { atMs: number }[] = [];
const clock = { ms: 0 };
vi.mock("../../faults/registry.ts", () => ({
  injectFault: async (): Promise<FaultHandle> => {
    injected.push({ atMs: clock.ms });
    return { injectedAtMs: clock.ms, mechanism: "fake restore", notes: ["restored"], heal: async () => clock.ms };
  },
}));

const bucket = (second: number, errors: number): TimelineBucket => ({ traffic: "devices", second, requests: 30, ok: 30 - errors, fail: errors, unknown: 0, causes: {}, latency: {}, freshnessChecks: 0, staleReads: 0 });

function schedule(abort = new AbortController()) {
  const events: RunEventBody[] = [];
  const spec = { kind: "restore", id: "restore-db", target: { names: ["db"] }, at: 40_000, backup: "b", point: "last-backup", when: { traffic: "devices", errorPercentAtLeast: 100, for: 10_000, within: 30_000 } };
  const plan = { seed: 1, trafficEndMs: 90_000, faults: [{ id: "restore-db", kind: "restore", targets: ["db"], atMs: 40_000, healAtMs: 85_000, spec }] } as unknown as Plan;
  const ctx = {
    topology: { nodes: new Map() },
    clock: { nowMs: () => clock.ms },
    log: { info: () => undefined, warn: () => undefined, step: <T>(_: string, work: () => Promise<T>) => work() },
  } as unknown as FaultContext;
  const faults = new FaultSchedule({ plan, roles: {}, ctx, signal: abort.signal, gate: async () => ({ passed: true, detail: "ok" }), record: (e) => events.push(e), gatedClasses: ["devices"] });
  return { faults, events, abort };
}

/** Seconds `from..to`, each seen 3 s after it ends (the timeline's wait for late operations). */
function feed(faults: FaultSchedule, from: number, to: number, errors: (s: number) => number): void {
  for (let s = from; s <= to; s++) {
    clock.ms = (s + 1) * 1000 + 3_000;
    faults.observe(bucket(s, errors(s)));
  }
}

afterEach(() => {
  vi.useRealTimers();
  injected.length = 0;
});

describe("fault schedule: a restore started on its condition", () => {
  it("waits at `at` for the condition and calls inject when it holds, recording what held", async () => {
    vi.useFakeTimers();
    const { faults, events } = schedule();
    feed(faults, 0, 36, (s) => (s >= 35 ? 30 : 0));
    const running = faults.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(injected).toEqual([]);
    feed(faults, 37, 43, () => 30);
    await vi.advanceTimersByTimeAsync(0);
    expect(injected).toEqual([]); // 9 seconds of errors: not yet
    feed(faults, 44, 44, () => 30);
    await vi.advanceTimersByTimeAsync(0);
    expect(injected).toEqual([{ atMs: 48_000 }]);
    clock.ms = 85_000;
    await vi.advanceTimersByTimeAsync(2_000);
    await running;
    const [record] = faults.records();
    expect(record).toMatchObject({ id: "restore-db", calledAtMs: 48_000, injectedAtMs: 48_000, trigger: { condition: "devices errors >= 100% for 10 s", heldAtMs: 48_000, held: "devices errors >= 100% for 10 s (seconds 35 to 44)" } });
    expect(record!.notes[0]).toBe("when: devices errors >= 100% for 10 s (seconds 35 to 44) held at 48.0 s (seen by the harness); the step started at 48.0 s, not before 40.0 s");
    expect(events.map((e) => e.type)).toEqual(["gate", "fault-injected", "fault-healed"]);
  });

  it("starts at `at` when the condition already held before it", async () => {
    vi.useFakeTimers();
    const { faults } = schedule();
    feed(faults, 0, 38, (s) => (s >= 20 ? 30 : 0));
    clock.ms = 40_000;
    const running = faults.run();
    await vi.advanceTimersByTimeAsync(0);
    expect(injected).toEqual([{ atMs: 40_000 }]);
    expect(faults.records()[0]!.trigger!.heldAtMs).toBe(33_000);
    clock.ms = 85_000;
    await vi.advanceTimersByTimeAsync(2_000);
    await running;
  });

  it("a condition that never held ends the step at its deadline: no injection, a system failure with what was seen", async () => {
    vi.useFakeTimers();
    const { faults, events } = schedule();
    feed(faults, 0, 36, () => 0);
    const running = faults.run();
    await vi.advanceTimersByTimeAsync(0);
    clock.ms = 70_000;
    await vi.advanceTimersByTimeAsync(40_000);
    clock.ms = 85_000;
    await vi.advanceTimersByTimeAsync(2_000);
    await running;
    expect(injected).toEqual([]);
    const [record] = faults.records();
    expect(record).toMatchObject({ injectedAtMs: 70_000, healedAtMs: 70_000, trigger: { heldAtMs: null } });
    expect(record!.calledAtMs).toBeUndefined();
    expect(record!.systemFailure).toBe(
      "restore-db did not run: its condition (devices errors >= 100% for 10 s) never held from 40.0 s to 70.0 s (within 30s); last seen: devices 0% errors (0 of 30) in second 36",
    );
    expect(events.at(-1)).toMatchObject({ type: "fault-error", id: "restore-db", stage: "inject", system: true });
    await faults.healAll();
  });

  it("an abort (a signal, a safety stop) while waiting ends the wait: nothing injected, nothing recorded", async () => {
    vi.useFakeTimers();
    const { faults, abort } = schedule();
    clock.ms = 40_000;
    const running = faults.run();
    await vi.advanceTimersByTimeAsync(0);
    abort.abort("safety");
    await running;
    expect(injected).toEqual([]);
    expect(faults.records()).toEqual([]);
  });
});
