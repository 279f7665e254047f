import type { ListAppendMop, OpType } from "../workload-op.ts";

/**
 * Minimal histories with exactly one known anomaly each (the shapes of Elle's own test cases), on two keys x =
 * keyBase and y = keyBase + 1, so they can be dropped into a clean history without touching it.
 */
export const PLANT_KINDS = ["G0", "G1a", "G1b", "G1c", "G-single", "G2-item", "lost-update", "internal", "stale-read"] as const;
export type PlantKind = (typeof PLANT_KINDS)[number];

export interface PlantedOp {
  /** Relative to the plant: each planted op runs on a process of its own. */
  process: number;
  type: OpType;
  invokeMs: number;
  completeMs: number;
  mops: ListAppendMop[];
}

export function plantedOps(kind: PlantKind, keyBase: number, atMs: number): PlantedOp[] {
  const x = keyBase;
  const y = keyBase + 1;
  // Concurrent ops: all overlap, so realtime order adds nothing.
  const concurrent = (mops: ListAppendMop[][], type: OpType[] = []): PlantedOp[] =>
    mops.map((m, i) => ({ process: i, type: type[i] ?? "ok", invokeMs: atMs, completeMs: atMs + 0.5 + i * 0.01, mops: m }));
  switch (kind) {
    case "G0":
      return concurrent([
        [["append", x, 1], ["append", y, 1]],
        [["append", x, 2], ["append", y, 2]],
        [["r", x, [1, 2]], ["r", y, [2, 1]]],
      ]);
    case "G1a":
      return concurrent([[["append", x, 1]], [["r", x, [1]]]], ["fail", "ok"]);
    case "G1b":
      return concurrent([[["append", x, 1], ["append", x, 2]], [["r", x, [1]]]]);
    case "G1c":
      return concurrent([
        [["append", x, 1], ["r", y, [1]]],
        [["append", x, 2], ["append", y, 1]],
        [["r", x, [1, 2]]],
      ]);
    case "G-single":
      return concurrent([
        [["append", x, 1], ["append", y, 1]],
        [["append", x, 2], ["r", y, []]],
        [["r", x, [1, 2]]],
      ]);
    case "G2-item":
      return concurrent([
        [["r", x, []], ["append", y, 1]],
        [["r", y, []], ["append", x, 1]],
      ]);
    case "lost-update":
      return concurrent([[["append", x, 0]], [["r", x, [0]], ["append", x, 1]], [["r", x, [0]], ["append", x, 2]]]);
    case "internal":
      return concurrent([[["append", x, 1], ["r", x, []]]]);
    case "stale-read":
      // T1 completes before T2 starts, yet T2 misses T1's append: fine for serializable, not for strict.
      return [
        { process: 0, type: "ok", invokeMs: atMs, completeMs: atMs + 0.1, mops: [["append", x, 1]] },
        { process: 1, type: "ok", invokeMs: atMs + 0.2, completeMs: atMs + 0.3, mops: [["r", x, []]] },
      ];
  }
}
