import type { BankClient } from "./client.ts";
import type { WorkloadDriver } from "./run-workload.ts";

/** How the bank generator shapes ops (Jepsen's bank test). */
export interface BankGeneratorOptions {
  accounts: readonly number[];
  /** Largest amount one transfer moves (each is 1..maxTransfer, an integer). */
  maxTransfer: number;
  /** Share of reads of every balance, 0-100; the rest are transfers. */
  readPercent: number;
  random?: () => number;
}

export type BankOp = { f: "read" } | { f: "transfer"; from: number; to: number; amount: number };

/** Transfers between two different random accounts, and reads of every balance. */
export class BankGenerator {
  readonly #options: Required<BankGeneratorOptions>;

  constructor(options: BankGeneratorOptions) {
    if (options.accounts.length < 2) throw new RangeError("bank: at least 2 accounts");
    if (options.maxTransfer < 1) throw new RangeError("bank: maxTransfer must be >= 1");
    this.#options = { random: Math.random, ...options };
  }

  next(): BankOp {
    const { accounts, random, readPercent, maxTransfer } = this.#options;
    if (random() * 100 < readPercent) return { f: "read" };
    const i = Math.floor(random() * accounts.length);
    // A different account: one of the other n - 1, uniformly.
    const j = (i + 1 + Math.floor(random() * (accounts.length - 1))) % accounts.length;
    return { f: "transfer", from: accounts[i]!, to: accounts[j]!, amount: 1 + Math.floor(random() * maxTransfer) };
  }
}

export function bankDriver(options: BankGeneratorOptions): WorkloadDriver<BankClient> {
  const generator = new BankGenerator(options);
  return {
    next() {
      const op = generator.next();
      if (op.f === "read") {
        return { f: "read", value: { balances: null }, write: false, run: (client) => client.read(options.accounts), okValue: (balances) => ({ balances }) };
      }
      const value = { from: op.from, to: op.to, amount: op.amount };
      return { f: "transfer", value, write: true, run: (client) => client.transfer(op.from, op.to, op.amount), okValue: () => value };
    },
  };
}
