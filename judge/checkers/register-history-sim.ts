import type { WorkloadOp } from "./workload-op.ts";

export interface SimulatedRegisterOptions {
  ops: number;
  keys: number;
  processes: number;
  seed: number;
  /** Register values are drawn from 0..valueRange-1 (small: cas succeeds often, states repeat). Default 5. */
  valueRange?: number;
  /** Longest op duration, ms (each op lasts 1 ms to this). Default 20. */
  maxOpMs?: number;
}

/**
 * A register history that is linearizable by construction, for tests and benchmarks: each process runs ops back
 * to back on random keys, every op takes effect at a random instant inside its own interval, and reads and cas
 * outcomes are what a real register would give at those instants. Seeded, so a run can be repeated.
 */
export function simulateRegisterHistory(options: SimulatedRegisterOptions): WorkloadOp[] {
  const random = mulberry32(options.seed);
  const range = options.valueRange ?? 5;
  const maxOpMs = options.maxOpMs ?? 20;
  const int = (n: number) => Math.floor(random() * n);
  const free = new Array<number>(options.processes).fill(0);
  const planned: { op: WorkloadOp; atMs: number; key: number }[] = [];
  for (let index = 0; index < options.ops; index++) {
    const process = index % options.processes;
    const invokeMs = round3(free[process]! + random());
    const completeMs = round3(invokeMs + 1 + random() * (maxOpMs - 1));
    free[process] = completeMs;
    const key = int(options.keys);
    const kind = int(10);
    const f = kind < 4 ? "read" : kind < 8 ? "write" : "cas";
    const value = f === "read" ? { key, value: null } : f === "write" ? { key, value: int(range) } : { key, from: int(range), to: int(range) };
    const op: WorkloadOp = { index, process, f, type: "ok", invokeMs, completeMs, value };
    planned.push({ op, atMs: invokeMs + random() * (completeMs - invokeMs), key });
  }
  const registers = new Map<number, number | null>();
  for (const { op, key } of [...planned].sort((a, b) => a.atMs - b.atMs)) {
    const held = registers.get(key) ?? null;
    const v = op.value as { key: number; value?: number | null; from?: number; to?: number };
    if (op.f === "read") op.value = { key, value: held };
    else if (op.f === "write") registers.set(key, v.value!);
    else if (held === v.from) registers.set(key, v.to!);
    else op.type = "fail";
  }
  return planned.map((p) => p.op);
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** Small seeded PRNG (mulberry32): uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
