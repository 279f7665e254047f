import { InputError } from "../../core/errors.ts";
import type { SuiteRecord } from "./suite-record.ts";

/**
 * `--shard i/n`: one machine's share of a suite, in the manner of Playwright's `--shard`. Every shard computes the
 * same partition of the selected runs from the same inputs (the selection and the suite history), so the machines
 * never talk to each other; `havoc suite merge` then checks that they did agree.
 *
 * A unit is one run: a scenario file at one repeat index. Units are weighed by the scenario's last recorded wall
 * time in the history and assigned greedily, longest first, each to the shard with the least load so far (longest
 * processing time first, within 4/3 of the best possible longest shard). Ties are broken by a stable order (file
 * path, then repeat index, compared by code unit, never by locale) so the partition is the same on every machine.
 */

export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
}

export interface ShardUnit {
  scenario: string;
  /** The scenario file as selected (relative to where the suite was started). */
  file: string;
  /** 1-based repeat index. */
  repeat: number;
}

export interface Partition {
  /** The shard (1-based) of each unit, in the order the units were given. */
  shardOf: number[];
  /** The weight each unit was given, ms; null where the history had none (the mean of the known weights was used). */
  weightsMs: (number | null)[];
  /** Per shard (index 0 = shard 1): the predicted load, ms of wall time (or runs, when balanced by count). */
  loads: number[];
  /** "wall-time": from the history; "count": no scenario had a recorded wall time, every run weighs the same. */
  balancedBy: "wall-time" | "count";
}

/** "2/3" -> { index: 2, total: 3 }; anything else is bad input (exit 2) naming the flag. */
export function parseShardFlag(text: string): ShardSpec {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new InputError(`--shard must be i/n (this machine's shard i of n, e.g. 2/3), got "${text}"`);
  const index = Number(match[1]);
  const total = Number(match[2]);
  if (total < 1) throw new InputError(`--shard ${text}: n must be at least 1`);
  if (index < 1 || index > total) throw new InputError(`--shard ${text}: i must be between 1 and n (${total}), got ${index}`);
  return { index, total };
}

/** More shards than runs would leave a machine with nothing to do: refused before anything starts. */
export function checkShardCount(spec: ShardSpec, unitCount: number, scenarios: number, repeat: number): void {
  if (spec.total > unitCount)
    throw new InputError(
      `--shard ${spec.index}/${spec.total}: ${spec.total} shards but the selection has only ${unitCount} run(s) (${scenarios} scenario(s) x ${repeat} repeat(s))`,
      `use at most ${unitCount} shards`,
    );
}

/**
 * The last recorded wall time of each scenario, ms, from a history oldest first. Only runs that completed count: an
 * aborted or crashed run stopped early and says nothing of how long the scenario takes.
 */
export function lastWallTimesMs(history: readonly SuiteRecord[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const suite of history) for (const run of suite.runs) if (run.status === "completed") last.set(run.scenario, run.durationMs);
  return last;
}

/** Plain code-unit order: localeCompare would depend on the machine's locale. */
const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function compareUnits(a: ShardUnit, b: ShardUnit): number {
  return byCodeUnit(a.file, b.file) || a.repeat - b.repeat;
}

export function partitionUnits(units: readonly ShardUnit[], total: number, wallTimesMs: ReadonlyMap<string, number>): Partition {
  if (!Number.isInteger(total) || total < 1) throw new Error(`partitionUnits: total must be a whole number >= 1, got ${total}`);
  const known = units.map((u) => wallTimesMs.get(u.scenario) ?? null);
  const measured = known.filter((w): w is number => w !== null);
  const balancedBy = measured.length === 0 ? "count" : "wall-time";
  // A scenario new since the last night weighs like an average one: guessing 0 would pile new scenarios on one shard.
  const fallback = measured.length === 0 ? 1 : measured.reduce((a, b) => a + b, 0) / measured.length;
  const weights = known.map((w) => w ?? fallback);
  const order = units.map((_, i) => i).sort((a, b) => weights[b]! - weights[a]! || compareUnits(units[a]!, units[b]!));
  const loads = Array.from({ length: total }, () => 0);
  const counts = Array.from({ length: total }, () => 0);
  const shardOf = units.map(() => 0);
  for (const i of order) {
    // Least load, then fewest runs (so runs recorded as taking 0 ms still spread and no shard is left empty), then
    // the lowest index.
    let least = 0;
    for (let k = 1; k < total; k++) if (loads[k]! < loads[least]! || (loads[k] === loads[least] && counts[k]! < counts[least]!)) least = k;
    loads[least]! += weights[i]!;
    counts[least]! += 1;
    shardOf[i] = least + 1;
  }
  return { shardOf, weightsMs: known, loads, balancedBy };
}

/** Longest shard / mean shard: 1.0 is a perfect split. */
export function balanceRatio(loads: readonly number[]): number {
  const mean = loads.reduce((a, b) => a + b, 0) / loads.length;
  return mean === 0 ? 1 : Math.max(...loads) / mean;
}
