import type { ConsistencyModel } from "../result.ts";

/**
 * Anomaly names and which models forbid them, taken from Elle (elle.consistency-model: `direct-proscribed-anomalies`
 * over the `models` graph, closed under `implied-anomalies`), restricted to what a list-append history can show.
 *
 * List-append has no predicate reads, so every anti-dependency is an item one: Elle's "G-single-item",
 * "G-nonadjacent-item" and "G2-item" are reported here as G-single, G-nonadjacent and G2-item (Elle itself names
 * the first two with "-item" for this workload).
 *
 * One deliberate difference: Elle forbids `internal` only under the models that include Cerone's INT axiom
 * (serializable, snapshot isolation and stronger); here it is forbidden under every model, because each level a
 * user can ask for promises a transaction sees its own writes.
 */

export const CYCLE_BASES = ["G0", "G1c", "G-single", "G-nonadjacent", "G2-item"] as const;
export type CycleBase = (typeof CYCLE_BASES)[number];
export const CYCLE_SUFFIXES = ["", "-process", "-realtime"] as const;
export type CycleSuffix = (typeof CYCLE_SUFFIXES)[number];

export const NON_CYCLE_ANOMALIES = [
  "G1a",
  "G1b",
  "dirty-update",
  "internal",
  "future-read",
  "duplicate-elements",
  "incompatible-order",
  "lost-update",
] as const;
export type NonCycleAnomaly = (typeof NON_CYCLE_ANOMALIES)[number];

/** Elle's implied-anomalies edges for the classes above: finding the key means the values exist too. */
const IMPLIES: Record<string, readonly string[]> = {
  G0: ["G1c", "G0-process"],
  "G0-process": ["G1c-process", "G0-realtime"],
  "G0-realtime": ["G1c-realtime"],
  G1c: ["G1c-process"],
  "G1c-process": ["G1c-realtime"],
  "G-single": ["G-nonadjacent", "G-single-process"],
  "G-single-process": ["G-nonadjacent-process", "G-single-realtime"],
  "G-single-realtime": ["G-nonadjacent-realtime"],
  "G-nonadjacent": ["G2-item", "G-nonadjacent-process"],
  "G-nonadjacent-process": ["G2-item-process", "G-nonadjacent-realtime"],
  "G-nonadjacent-realtime": ["G2-item-realtime"],
  "G2-item": ["G2-item-process"],
  "G2-item-process": ["G2-item-realtime"],
  "incompatible-order": ["G1a"],
  "dirty-update": ["G1a"],
  "future-read": ["G1c"],
  "lost-update": ["G2-item"],
};

/** Every anomaly `name` implies (itself included). */
export function impliedBy(name: string): Set<string> {
  const seen = new Set<string>([name]);
  const todo = [name];
  while (todo.length > 0) {
    for (const next of IMPLIES[todo.pop()!] ?? []) {
      if (!seen.has(next)) {
        seen.add(next);
        todo.push(next);
      }
    }
  }
  return seen;
}

const RC = ["G0", "G1a", "G1b", "G1c", "duplicate-elements", "internal"];
const SI = [...RC, "G-single", "G-nonadjacent", "lost-update"];
const RR = [...RC, "G2-item", "lost-update"];
const STRONG_SI = [...SI, "G0-process", "G1c-process", "G0-realtime", "G1c-realtime", "G-nonadjacent-process", "G-nonadjacent-realtime"];

/** What each model forbids directly (Elle's table, as closed over the model graph for these six). */
const DIRECTLY_FORBIDDEN: Record<ConsistencyModel, readonly string[]> = {
  "read-committed": RC,
  "repeatable-read": RR,
  "snapshot-isolation": SI,
  serializable: [...new Set([...RR, ...SI])],
  "strong-snapshot-isolation": STRONG_SI,
  "strict-serializable": [...new Set([...RR, ...STRONG_SI, "G2-item-process", "G2-item-realtime"])],
};

/** Is `name` forbidden under `model`: forbidden directly, or it implies something forbidden. */
export function isForbidden(model: ConsistencyModel, name: string): boolean {
  const forbidden = DIRECTLY_FORBIDDEN[model];
  for (const implied of impliedBy(name)) if (forbidden.includes(implied)) return true;
  return false;
}

/** Strong and strict models order transactions by process and by real time too. */
export function usesRealtime(model: ConsistencyModel): boolean {
  return model === "strong-snapshot-isolation" || model === "strict-serializable";
}
