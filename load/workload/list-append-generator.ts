import type { ListAppendMop } from "../../core/workload-op.ts";

/** How the list-append generator shapes transactions (Elle's list-append generator, simplified). */
export interface ListAppendGeneratorOptions {
  /** Keys in use at once. Few keys mean many transactions meet on a key (where anomalies live). */
  activeKeys: number;
  /** Appends a key gets before it retires and a fresh key takes its place (keeps reads, and the check, short). */
  maxAppendsPerKey: number;
  minTxnLength: number;
  maxTxnLength: number;
  /** Share of micro-ops that are reads, 0-100. */
  readPercent: number;
  /**
   * Share of appends, 0-100, preceded in the same transaction by a read of their key (when the transaction has not
   * touched it yet): read-modify-write transactions, the shape where lost updates show. Default 0 (Elle's mix).
   */
  readBeforeAppendPercent?: number;
  /** Uniform [0, 1). */
  random?: () => number;
}

/**
 * Transactions of appends and reads over a rotating set of keys, as Elle's design asks: every appended element is
 * unique per key (1, 2, 3, ... per key), so a read's list tells which appends it saw and in which order; a key
 * retires after `maxAppendsPerKey` appends and the next unused key number replaces it.
 */
export class ListAppendGenerator {
  readonly #options: Required<ListAppendGeneratorOptions>;
  readonly #active: number[] = [];
  /** Next element per active key (elements start at 1). */
  readonly #next = new Map<number, number>();
  #nextKey = 0;

  constructor(options: ListAppendGeneratorOptions) {
    if (options.activeKeys < 1 || options.maxAppendsPerKey < 1) throw new RangeError("list-append: activeKeys and maxAppendsPerKey must be >= 1");
    if (options.minTxnLength < 1 || options.maxTxnLength < options.minTxnLength) throw new RangeError("list-append: need 1 <= minTxnLength <= maxTxnLength");
    this.#options = { random: Math.random, readBeforeAppendPercent: 0, ...options };
    for (let i = 0; i < options.activeKeys; i++) this.#addKey();
  }

  #addKey(): void {
    const key = this.#nextKey++;
    this.#active.push(key);
    this.#next.set(key, 1);
  }

  /** The keys in use now (for tests). */
  get activeKeys(): readonly number[] {
    return this.#active;
  }

  /** The next transaction: reads as ["r", key, null], appends with fresh elements. */
  next(): ListAppendMop[] {
    const { minTxnLength, maxTxnLength, readPercent, maxAppendsPerKey, readBeforeAppendPercent, random } = this.#options;
    const length = minTxnLength + Math.floor(random() * (maxTxnLength - minTxnLength + 1));
    const mops: ListAppendMop[] = [];
    for (let i = 0; i < length; i++) {
      const slot = Math.floor(random() * this.#active.length);
      const key = this.#active[slot]!;
      if (random() * 100 < readPercent) {
        mops.push(["r", key, null]);
        continue;
      }
      const element = this.#next.get(key)!;
      if (readBeforeAppendPercent > 0 && !mops.some((m) => m[1] === key) && random() * 100 < readBeforeAppendPercent) mops.push(["r", key, null]);
      mops.push(["append", key, element]);
      if (element >= maxAppendsPerKey) {
        // Retired: later transactions use a fresh key in its slot.
        this.#next.delete(key);
        const fresh = this.#nextKey++;
        this.#active[slot] = fresh;
        this.#next.set(fresh, 1);
      } else {
        this.#next.set(key, element + 1);
      }
    }
    return mops;
  }
}
