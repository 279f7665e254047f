import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/**
 * The harness's own cost during a run: CPU seconds used by this process and by its k6 children, against the machine's
 * capacity over the same wall time. A load generator and the harness share the cores with the system under test, so
 * a harness that takes much of the machine distorts what it measures; the report says so instead of hiding it.
 *
 * k6 children announce themselves through noteLoadChildStarted()/noteLoadChildExited() (load/k6-process.ts does),
 * so a meter sees every k6 started while it runs without being threaded through the traffic kinds.
 */
export { HarnessCost, describeHarnessCost } from "../core/harness-cost.ts";
import type { HarnessCost } from "../core/harness-cost.ts";

/** Where the figures come from; unit tests pass fakes. */
export interface CpuSamplers {
  /** CPU seconds this process used so far (user + system). */
  selfCpuS(): number;
  /** CPU seconds of this process's children that have exited and been reaped (cutime + cstime). */
  reapedChildrenCpuS(): number;
  /** CPU seconds a live process used so far (utime + stime), or undefined once it is gone. */
  processCpuS(pid: number): number | undefined;
  nowMs(): number;
  cores(): number;
}

export interface HarnessCostOptions {
  /** Default 0.5: the harness took half the machine. */
  warnShare?: number;
  /** How often live children are sampled, ms. Default 1,000. */
  intervalMs?: number;
  samplers?: CpuSamplers;
}

/** Fields 14 and 15 (utime, stime) and 16, 17 (cutime, cstime) of /proc/<pid>/stat, counted after the ")" of comm. */
function procStatTicks(pid: number | "self"): { own: number; reaped: number } | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return undefined;
  }
  // comm (field 2) may hold spaces and parentheses: the fields after it start after the last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime is field 14, so fields[11].
  const n = (i: number) => Number(fields[i] ?? Number.NaN);
  const own = n(11) + n(12);
  const reaped = n(13) + n(14);
  return Number.isFinite(own) && Number.isFinite(reaped) ? { own, reaped } : undefined;
}

let clockTicksPerS: number | undefined;
function ticksPerS(): number {
  if (clockTicksPerS === undefined) {
    try {
      clockTicksPerS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicksPerS = 100; // the Linux USER_HZ on every architecture Node runs on
    }
  }
  return clockTicksPerS;
}

/** The real samplers: process.cpuUsage() for this process, /proc for children (Linux). */
export const procSamplers: CpuSamplers = {
  selfCpuS: () => {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1e6;
  },
  reapedChildrenCpuS: () => (procStatTicks("self")?.reaped ?? 0) / ticksPerS(),
  processCpuS: (pid) => {
    const ticks = procStatTicks(pid);
    return ticks === undefined ? undefined : ticks.own / ticksPerS();
  },
  nowMs: () => Date.now(),
  cores: () => availableParallelism(),
};

interface Child {
  pid: number;
  label: string;
  /** CPU seconds at the first sample (0 for a child started while the meter ran). */
  baseS: number;
  lastS: number;
  lastAtMs: number;
  /** Set once the child is gone: its CPU while the meter ran. */
  finalS?: number;
}

/** Active meters; k6-process.ts reports its children to every one. */
const meters = new Set<HarnessCostMeter>();
const liveChildren = new Map<number, string>();

/** Called when a load generator child starts (load/k6-process.ts). */
export function noteLoadChildStarted(pid: number, label: string): void {
  liveChildren.set(pid, label);
  for (const meter of meters) meter.track(pid, label, true);
}

/** Called from the child's exit event, before anything else runs. */
export function noteLoadChildExited(pid: number): void {
  liveChildren.delete(pid);
  for (const meter of meters) meter.exited(pid);
}

export class HarnessCostMeter {
  readonly #samplers: CpuSamplers;
  readonly #warnShare: number;
  readonly #intervalMs: number;
  readonly #children = new Map<number, Child>();
  readonly #startedMs: number;
  readonly #selfStartS: number;
  #reapedLastS: number;
  #timer: NodeJS.Timeout | undefined;
  #stopped: HarnessCost | undefined;

  constructor(options: HarnessCostOptions = {}) {
    this.#samplers = options.samplers ?? procSamplers;
    this.#warnShare = options.warnShare ?? 0.5;
    this.#intervalMs = options.intervalMs ?? 1_000;
    this.#startedMs = this.#samplers.nowMs();
    this.#selfStartS = this.#samplers.selfCpuS();
    this.#reapedLastS = this.#samplers.reapedChildrenCpuS();
  }

  /** Starts sampling once a second and follows every k6 child started from now on (and those already running). */
  start(): this {
    meters.add(this);
    for (const [pid, label] of liveChildren) this.track(pid, label, false);
    this.#timer = setInterval(() => this.sample(), this.#intervalMs);
    this.#timer.unref();
    return this;
  }

  /**
   * Follows a child. `fresh`: it started while the meter runs, so all its CPU counts; otherwise only what it uses
   * from now on.
   */
  track(pid: number, label: string, fresh: boolean): void {
    if (this.#children.has(pid) || this.#stopped) return;
    const nowS = this.#samplers.processCpuS(pid) ?? 0;
    this.#children.set(pid, { pid, label, baseS: fresh ? 0 : nowS, lastS: nowS, lastAtMs: this.#samplers.nowMs() });
  }

  /** Samples every live child; a child found gone is completed as in exited(). */
  sample(): void {
    if (this.#stopped) return;
    const gone: Child[] = [];
    for (const child of this.#children.values()) {
      if (child.finalS !== undefined) continue;
      const cpuS = this.#samplers.processCpuS(child.pid);
      if (cpuS === undefined) gone.push(child);
      else {
        child.lastS = Math.max(child.lastS, cpuS);
        child.lastAtMs = this.#samplers.nowMs();
      }
    }
    if (gone.length > 0) this.#complete(gone);
  }

  /**
   * A followed child exited. Its /proc entry is already gone, so its last second is taken from this process's reaped
   * children CPU (cutime + cstime), which grew by the whole CPU of every child reaped since the last reading.
   */
  exited(pid: number): void {
    const child = this.#children.get(pid);
    if (child === undefined || child.finalS !== undefined || this.#stopped) return;
    // Every followed child that is gone by now was reaped in the same interval; complete them together.
    const gone = [...this.#children.values()].filter((c) => c.finalS === undefined && (c.pid === pid || this.#samplers.processCpuS(c.pid) === undefined));
    this.#complete(gone);
  }

  #complete(gone: Child[]): void {
    const reapedS = this.#samplers.reapedChildrenCpuS();
    const grewS = reapedS - this.#reapedLastS;
    this.#reapedLastS = reapedS;
    const nowMs = this.#samplers.nowMs();
    // What they used since their last samples: the growth less what the samples already hold. Other children (a
    // short tool run) reaped meanwhile would count too, so it is capped at what the cores could give them since.
    const sampledS = gone.reduce((sum, c) => sum + c.lastS, 0);
    const capS = gone.reduce((sum, c) => sum + ((nowMs - c.lastAtMs) / 1000) * this.#samplers.cores(), 0);
    let extraS = Math.min(Math.max(0, grewS - sampledS), capS);
    for (const child of gone) {
      // The whole extra goes to the first: only the sum is reported.
      child.finalS = child.lastS + extraS - child.baseS;
      extraS = 0;
    }
  }

  /** The figures so far (sampling live children first). */
  snapshot(): HarnessCost {
    if (this.#stopped) return this.#stopped;
    this.sample();
    const wallS = (this.#samplers.nowMs() - this.#startedMs) / 1000;
    const havocCpuS = this.#samplers.selfCpuS() - this.#selfStartS;
    let k6CpuS = 0;
    for (const child of this.#children.values()) k6CpuS += child.finalS ?? child.lastS - child.baseS;
    return harnessCost(havocCpuS, k6CpuS, wallS, this.#samplers.cores(), this.#warnShare);
  }

  /** Stops sampling and returns the final figures (idempotent). */
  stop(): HarnessCost {
    if (this.#stopped) return this.#stopped;
    const cost = this.snapshot();
    clearInterval(this.#timer);
    meters.delete(this);
    this.#stopped = cost;
    return cost;
  }
}

const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** The figures from raw CPU and wall seconds, with the warning when the share passes `warnShare`. */
export function harnessCost(havocCpuS: number, k6CpuS: number, wallS: number, cores: number, warnShare = 0.5): HarnessCost {
  const share = wallS > 0 && cores > 0 ? (havocCpuS + k6CpuS) / (wallS * cores) : 0;
  const cost: HarnessCost = { havocCpuS: round(havocCpuS, 2), k6CpuS: round(k6CpuS, 2), wallS: round(wallS, 2), cores, share: round(share, 3), warnShare };
  if (share > warnShare) {
    cost.warning =
      `the harness took ${Math.round(share * 100)} % of this machine's ${cores} cores (havoc ${cost.havocCpuS} s + k6 ${cost.k6CpuS} s CPU in ${cost.wallS} s), ` +
      `above ${Math.round(warnShare * 100)} %: the system under test shared the rest, so its latency and throughput may be the harness's as much as its own`;
  }
  return cost;
}

/** One console line, e.g. "harness cost: havoc 3.1 s + k6 40.2 s CPU in 60.0 s on 2 cores = 36 % of the machine". */

/** A started meter (see HarnessCostMeter). */
export function startHarnessCost(options: HarnessCostOptions = {}): HarnessCostMeter {
  return new HarnessCostMeter(options).start();
}
