import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkListAppend } from "../../judge/checkers/list-append/check.ts";
import type { ConsistencyModel, WitnessEdge } from "../../judge/checkers/result.ts";
import { generateListAppendHistory } from "../../judge/checkers/testing/list-append-history.ts";
import type { HistoryOptions } from "../../judge/checkers/testing/list-append-history.ts";
import { PLANT_KINDS } from "../../judge/checkers/testing/planted.ts";
import type { ListAppendMop, WorkloadOp } from "../../judge/checkers/workload-op.ts";

/**
 * Properties over generated histories (testing/list-append-history.ts): what a database of a known level produces
 * never fails that level, and every cycle the checker reports holds up edge by edge when re-derived here from the
 * raw ops, independently of the checker's graph.
 */
const MODELS: readonly ConsistencyModel[] = ["read-committed", "repeatable-read", "snapshot-isolation", "serializable", "strong-snapshot-isolation", "strict-serializable"];
/** a -> b: a model at least as strong as b (if the history fails b, it fails a). */
const STRONGER: readonly [ConsistencyModel, ConsistencyModel][] = [
  ["repeatable-read", "read-committed"],
  ["snapshot-isolation", "read-committed"],
  ["serializable", "repeatable-read"],
  ["serializable", "snapshot-isolation"],
  ["strong-snapshot-isolation", "snapshot-isolation"],
  ["strict-serializable", "serializable"],
  ["strict-serializable", "strong-snapshot-isolation"],
];

const options = fc.record({
  txns: fc.integer({ min: 1, max: 400 }),
  processes: fc.integer({ min: 1, max: 12 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  activeKeys: fc.integer({ min: 1, max: 6 }),
  appendsPerKey: fc.integer({ min: 2, max: 30 }),
  failRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  infoRate: fc.double({ min: 0, max: 0.3, noNaN: true }),
  stepMs: fc.constantFrom(0.001, 1, 7.5),
});

describe("histories of a known isolation level never fail it", () => {
  it("a serial execution with random concurrency windows passes every model, strict serializable included", () => {
    fc.assert(
      fc.property(options, (o) => {
        const h = generateListAppendHistory({ ...o, mode: "serializable" });
        for (const model of MODELS) {
          const result = checkListAppend(h, { model });
          if (h.some((op) => op.type === "ok")) expect([model, result.verdict, result.why]).toEqual([model, "pass", expect.any(String)]);
          else expect(result.verdict).toBe("unknown");
        }
      }),
      { numRuns: 60 },
    );
  });

  it("a snapshot-isolation database (first committer wins) never fails snapshot isolation or strong SI", () => {
    fc.assert(
      fc.property(options, (o) => {
        const h = generateListAppendHistory({ ...o, mode: "snapshot-isolation" });
        if (!h.some((op) => op.type === "ok")) return;
        for (const model of ["read-committed", "snapshot-isolation", "strong-snapshot-isolation"] as const) {
          expect([model, checkListAppend(h, { model }).why]).toEqual([model, expect.not.stringMatching(/not allowed/)]);
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("verdicts and witnesses hold up", () => {
  const weak = fc.tuple(options, fc.constantFrom<HistoryOptions["mode"]>("lost-updates", "snapshot-isolation"), fc.boolean());

  it("a history failing a model fails every stronger one", () => {
    fc.assert(
      fc.property(weak, ([o, mode, plant]) => {
        const h = generateListAppendHistory({ ...o, mode, ...(plant ? { plant: { every: 50, kinds: PLANT_KINDS } } : {}) });
        const verdict = Object.fromEntries(MODELS.map((m) => [m, checkListAppend(h, { model: m }).verdict]));
        for (const [strong, weaker] of STRONGER) if (verdict[weaker] === "fail") expect([strong, verdict[strong]]).toEqual([strong, "fail"]);
      }),
      { numRuns: 40 },
    );
  });

  it("every edge of every reported cycle is true of the raw history, and the cycle closes", () => {
    fc.assert(
      fc.property(weak, ([o, mode, plant]) => {
        const h = generateListAppendHistory({ ...o, mode, ...(plant ? { plant: { every: 50, kinds: PLANT_KINDS } } : {}) });
        const byIndex = new Map(h.map((op) => [op.index, op]));
        for (const model of ["serializable", "strict-serializable"] as const) {
          for (const anomaly of checkListAppend(h, { model }).anomalies) {
            const edges = anomaly.witness.edges;
            if (edges.length === 0) continue;
            edges.forEach((edge, i) => {
              expect(edge.to).toBe(edges[(i + 1) % edges.length]!.from);
              expect([anomaly.name, edge, holds(edge, byIndex, h)]).toEqual([anomaly.name, edge, true]);
            });
            const rw = edges.filter((e) => e.type === "rw").length;
            if (anomaly.name.startsWith("G-single")) expect(rw).toBe(1);
            if (anomaly.name.startsWith("G2-item") || anomaly.name.startsWith("G-nonadjacent")) expect(rw).toBeGreaterThanOrEqual(2);
            if (anomaly.name.startsWith("G0")) expect(edges.every((e) => e.type !== "rw" && e.type !== "wr")).toBe(true);
            if (anomaly.name.endsWith("-realtime")) expect(edges.some((e) => e.type === "realtime")).toBe(true);
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

function mops(op: WorkloadOp): readonly ListAppendMop[] {
  return op.value as ListAppendMop[];
}

/** Re-derives one witness edge from the ops, without the checker's version index. */
function holds(edge: WitnessEdge, byIndex: Map<number, WorkloadOp>, h: readonly WorkloadOp[]): boolean {
  const from = byIndex.get(edge.from)!;
  const to = byIndex.get(edge.to)!;
  const readsOf = (key: number) => h.filter((op) => op.type !== "fail").flatMap((op) => mops(op).filter((m) => m[0] === "r" && m[1] === key && m[2] !== null).map((m) => m[2] as number[]));
  const appends = (op: WorkloadOp) => mops(op).filter((m) => m[0] === "append") as ["append", number, number][];
  switch (edge.type) {
    case "realtime":
      return from.completeMs! < to.invokeMs;
    case "process":
      return from.process === to.process && from.completeMs! <= to.invokeMs;
    case "wr":
      // `to` read a list holding an element `from` appended.
      return appends(from).some(([, k, e]) => mops(to).some((m) => m[0] === "r" && m[1] === k && (m[2] ?? []).includes(e)));
    case "rw":
      // `to` appended an element that `from`'s read lacks, and every read that saw it saw all of `from`'s read first.
      return mops(from).some((m) => {
        if (m[0] !== "r") return false;
        const read = m[2] ?? [];
        return appends(to).some(([, k, e]) => k === m[1] && !read.includes(e) && readsOf(k).every((seen) => !seen.includes(e) || (seen.indexOf(e) >= read.length && read.every((x, i) => seen[i] === x))));
      });
    case "ww":
      // Some read shows `from`'s element before `to`'s, or `to`'s was never seen and `from`'s was.
      return appends(from).some(([, k, e1]) =>
        appends(to).some(([, k2, e2]) => {
          if (k2 !== k) return false;
          const reads = readsOf(k);
          if (reads.some((seen) => seen.includes(e2))) return reads.some((seen) => seen.includes(e1) && seen.indexOf(e1) < seen.indexOf(e2));
          return reads.some((seen) => seen.includes(e1));
        }),
      );
  }
}
