import type { RegisterClient } from "./client.ts";
import type { WorkloadDriver } from "./run-workload.ts";

/** How the register generator shapes ops (Jepsen's cas-register over independent keys). */
export interface RegisterGeneratorOptions {
  /** Keys in use at once. Few keys mean concurrent ops meet on a key. */
  activeKeys: number;
  /** Ops a key gets before it retires and a fresh key takes its place (keeps each key's search short). */
  maxOpsPerKey: number;
  /** Share of reads, 0-100. */
  readPercent: number;
  /** Share of compare-and-sets, 0-100; the rest (100 - read - cas) are writes. */
  casPercent: number;
  /** Uniform [0, 1). */
  random?: () => number;
}

export type RegisterOp = { f: "read"; key: number } | { f: "write"; key: number; value: number } | { f: "cas"; key: number; from: number; to: number };

/**
 * Reads, writes and compare-and-sets over a rotating set of keys. Every value written to a key (by a write or as a
 * cas's `to`) is unique for that key (1, 2, 3, ...), so a read names the one op it saw. A cas compares with the
 * value the key was last seen to hold (by an ok read, write or cas), as an application would after reading it:
 * concurrent processes then often CAS from the same value, and at most one of them may win. A key with no value
 * seen yet gets a write instead.
 */
export class RegisterGenerator {
  readonly #options: Required<RegisterGeneratorOptions>;
  readonly #active: number[] = [];
  /** Per active key: ops generated, the last value handed out, the last value seen. */
  readonly #keys = new Map<number, { ops: number; lastValue: number; seen: number | undefined }>();
  #nextKey = 0;

  constructor(options: RegisterGeneratorOptions) {
    if (options.activeKeys < 1 || options.maxOpsPerKey < 1) throw new RangeError("register: activeKeys and maxOpsPerKey must be >= 1");
    if (options.readPercent < 0 || options.casPercent < 0 || options.readPercent + options.casPercent > 100) throw new RangeError("register: readPercent + casPercent must be within 0-100");
    this.#options = { random: Math.random, ...options };
    for (let i = 0; i < options.activeKeys; i++) this.#active.push(this.#addKey());
  }

  #addKey(): number {
    const key = this.#nextKey++;
    this.#keys.set(key, { ops: 0, lastValue: 0, seen: undefined });
    return key;
  }

  get activeKeys(): readonly number[] {
    return this.#active;
  }

  next(): RegisterOp {
    const { random, readPercent, casPercent, maxOpsPerKey } = this.#options;
    const slot = Math.floor(random() * this.#active.length);
    const key = this.#active[slot]!;
    const state = this.#keys.get(key)!;
    if (++state.ops >= maxOpsPerKey) this.#active[slot] = this.#addKey(); // retired: completions still teach it nothing new
    const roll = random() * 100;
    if (roll < readPercent) return { f: "read", key };
    const value = ++state.lastValue;
    if (roll < readPercent + casPercent && state.seen !== undefined) return { f: "cas", key, from: state.seen, to: value };
    return { f: "write", key, value };
  }

  /** What an ok op showed the key to hold (the value a later cas compares with). */
  observe(op: RegisterOp | { f: "read"; key: number; value: number | null }): void {
    const state = this.#keys.get(op.key);
    if (state === undefined) return;
    if (op.f === "read" && "value" in op && op.value !== null) state.seen = op.value;
    else if (op.f === "write") state.seen = op.value;
    else if (op.f === "cas") state.seen = op.to;
  }
}

/** The history value of a register op (core/workload-op.ts): { key, value } for read and write, { key, from, to } for cas. */
function invokedValue(op: RegisterOp): unknown {
  if (op.f === "read") return { key: op.key, value: null };
  if (op.f === "write") return { key: op.key, value: op.value };
  return { key: op.key, from: op.from, to: op.to };
}

export function registerDriver(options: RegisterGeneratorOptions): WorkloadDriver<RegisterClient> {
  const generator = new RegisterGenerator(options);
  return {
    next() {
      const op = generator.next();
      return {
        f: op.f,
        value: invokedValue(op),
        write: op.f !== "read",
        run: (client) => (op.f === "read" ? client.read(op.key) : op.f === "write" ? client.write(op.key, op.value) : client.cas(op.key, op.from, op.to)),
        okValue: (returned) => (op.f === "read" ? { key: op.key, value: returned ?? null } : invokedValue(op)),
      };
    },
    completed(op) {
      if (op.type !== "ok") return;
      const v = op.value as { key: number; value?: number | null; from?: number; to?: number };
      if (op.f === "read") generator.observe({ f: "read", key: v.key, value: v.value ?? null });
      else if (op.f === "write") generator.observe({ f: "write", key: v.key, value: v.value! });
      else if (op.f === "cas") generator.observe({ f: "cas", key: v.key, from: v.from!, to: v.to! });
    },
  };
}
