import { describe, expect, it } from "vitest";
import { describeHarnessCost, HarnessCost, harnessCost, HarnessCostMeter, noteLoadChildExited, noteLoadChildStarted, procSamplers, type CpuSamplers } from "../../load/harness-cost.ts";

/** A machine the test drives: time, this process's CPU, reaped children's CPU, and live children's CPU by pid. */
function fakeMachine(cores = 2) {
  const state = { nowMs: 1_000_000, selfS: 50, reapedS: 7, live: new Map<number, number>() };
  const samplers: CpuSamplers = {
    selfCpuS: () => state.selfS,
    reapedChildrenCpuS: () => state.reapedS,
    processCpuS: (pid) => state.live.get(pid),
    nowMs: () => state.nowMs,
    cores: () => cores,
  };
  /** The child exits having used `totalS` in all: gone from /proc, its CPU added to the reaped total. */
  const exit = (pid: number, totalS: number) => {
    state.live.delete(pid);
    state.reapedS += totalS;
  };
  return { state, samplers, exit };
}

describe("harness cost", () => {
  it("is this process's CPU against the machine when there are no children", () => {
    const { state, samplers } = fakeMachine();
    const meter = new HarnessCostMeter({ samplers });
    state.nowMs += 10_000;
    state.selfS += 1;
    expect(meter.stop()).toEqual({ havocCpuS: 1, k6CpuS: 0, wallS: 10, cores: 2, share: 0.05, warnShare: 0.5 });
  });

  it("counts a k6 child from its samples and completes its last second from the reaped children's CPU at exit", () => {
    const { state, samplers, exit } = fakeMachine();
    const meter = new HarnessCostMeter({ samplers });
    state.live.set(101, 0.1);
    meter.track(101, "k6 a", true);
    for (let s = 1; s <= 5; s++) {
      state.nowMs += 1_000;
      state.live.set(101, s * 1.2);
      meter.sample();
    }
    expect(meter.snapshot().k6CpuS).toBe(6);
    // Its last 0.8 s: 0.9 s more CPU than the last sample, seen only as the reaped total growing by 6.9 s.
    state.nowMs += 800;
    exit(101, 6.9);
    meter.exited(101);
    state.nowMs += 200;
    state.selfS += 0.6;
    const cost = meter.stop();
    expect(cost.k6CpuS).toBe(6.9);
    expect(cost.havocCpuS).toBe(0.6);
    expect(cost.share).toBeCloseTo((6.9 + 0.6) / (6 * 2), 3);
    expect(cost.warning).toMatch(/took 63 % of this machine/);
  });

  it("completes several children that exited together, and an exit noticed by a sample", () => {
    const { state, samplers, exit } = fakeMachine();
    const meter = new HarnessCostMeter({ samplers });
    for (const pid of [1, 2, 3]) {
      state.live.set(pid, 0);
      meter.track(pid, `k6 ${pid}`, true);
    }
    state.nowMs += 1_000;
    state.live.set(1, 1).set(2, 1).set(3, 1);
    meter.sample();
    state.nowMs += 500;
    exit(1, 1.5);
    exit(2, 1.25);
    meter.exited(1); // the exit event of 1; 2 was reaped in the same round
    meter.exited(2);
    expect(meter.snapshot().k6CpuS).toBe(1.5 + 1.25 + 1);
    state.nowMs += 500;
    exit(3, 1.75);
    meter.sample(); // no exit event for 3 (it exited while nobody listened): the sample finds it gone
    expect(meter.stop().k6CpuS).toBe(4.5);
  });

  it("caps the completion at what the cores could give since the last sample (another child reaped meanwhile)", () => {
    const { state, samplers, exit } = fakeMachine(2);
    const meter = new HarnessCostMeter({ samplers });
    state.live.set(9, 0);
    meter.track(9, "k6", true);
    state.nowMs += 1_000;
    state.live.set(9, 2);
    meter.sample();
    state.nowMs += 250;
    state.reapedS += 100; // a long tool run by this process exited too
    exit(9, 2.1);
    meter.exited(9);
    expect(meter.stop().k6CpuS).toBe(2 + 0.5); // 0.25 s x 2 cores at most
  });

  it("counts a child already running when the meter started from then on", () => {
    const { state, samplers } = fakeMachine();
    state.live.set(5, 30);
    noteLoadChildStarted(5, "k6 early");
    const meter = new HarnessCostMeter({ samplers, intervalMs: 3_600_000 }).start();
    try {
      state.nowMs += 2_000;
      state.live.set(5, 33);
      expect(meter.snapshot().k6CpuS).toBe(3);
    } finally {
      meter.stop();
      noteLoadChildExited(5);
    }
  });

  it("follows children announced while it runs, and stops following at stop()", () => {
    const { state, samplers, exit } = fakeMachine();
    const meter = new HarnessCostMeter({ samplers, intervalMs: 3_600_000 }).start();
    state.live.set(77, 0);
    noteLoadChildStarted(77, "k6 late");
    state.nowMs += 1_000;
    exit(77, 0.75);
    noteLoadChildExited(77);
    const cost = meter.stop();
    expect(cost.k6CpuS).toBe(0.75);
    state.live.set(78, 0);
    noteLoadChildStarted(78, "k6 after");
    state.live.set(78, 5);
    expect(meter.stop()).toBe(cost);
    noteLoadChildExited(78);
  });

  it("warns when the harness took more than the share", () => {
    expect(harnessCost(1, 4, 10, 2).warning).toBeUndefined();
    const cost = harnessCost(2, 9, 10, 2);
    expect(cost.share).toBe(0.55);
    expect(cost.warning).toMatch(/the harness took 55 % of this machine's 2 cores \(havoc 2 s \+ k6 9 s CPU in 10 s\), above 50 %/);
    expect(harnessCost(1, 1, 10, 2, 0.05).warning).toMatch(/above 5 %/);
    expect(harnessCost(0, 0, 0, 2).share).toBe(0);
    expect(HarnessCost.parse(cost)).toEqual(cost); // what report.json would hold
    expect(HarnessCost.safeParse({ ...cost, cores: 0 }).success).toBe(false);
    expect(describeHarnessCost(cost)).toBe("harness cost: havoc 2 s + k6 9 s CPU in 10 s on 2 cores = 55 % of the machine");
  });

  it("reads real figures on Linux", () => {
    const before = procSamplers.selfCpuS();
    const until = Date.now() + 50;
    while (Date.now() < until) Math.sqrt(Math.random());
    expect(procSamplers.selfCpuS()).toBeGreaterThan(before);
    expect(procSamplers.processCpuS(process.pid)).toBeGreaterThanOrEqual(0);
    expect(procSamplers.processCpuS(2 ** 22 + 12_345)).toBeUndefined();
    expect(procSamplers.reapedChildrenCpuS()).toBeGreaterThanOrEqual(0);
    expect(procSamplers.cores()).toBeGreaterThanOrEqual(1);
  });
});
