import { describe, expect, it } from "vitest";
import { checkListAppend } from "../../judge/checkers/list-append/check.ts";
import type { ConsistencyModel, ConsistencyResult } from "../../judge/checkers/result.ts";
import { ConsistencyResult as ConsistencyResultSchema } from "../../judge/checkers/result.ts";
import { a, at, history, r, rNull, txn } from "../../judge/checkers/testing/build.ts";
import type { WorkloadOp } from "../../judge/checkers/workload-op.ts";

/**
 * Ground truth for the list-append checker: each anomaly planted alone (mostly Elle's own test histories,
 * elle/test/elle/list_append_test.clj, and the examples of the Elle paper), checked under all six models.
 */
const X = 1;
const Y = 2;
const Z = 3;
const MODELS: readonly ConsistencyModel[] = ["read-committed", "repeatable-read", "snapshot-isolation", "serializable", "strong-snapshot-isolation", "strict-serializable"];

function check(ops: readonly WorkloadOp[], model: ConsistencyModel, budgetMs?: number): ConsistencyResult {
  const result = checkListAppend(ops, { model, ...(budgetMs === undefined ? {} : { budgetMs }) });
  ConsistencyResultSchema.parse(result);
  return result;
}

function verdicts(ops: readonly WorkloadOp[]): Record<string, string> {
  return Object.fromEntries(MODELS.map((model) => [model, check(ops, model).verdict]));
}

/** Name -> [count, allowed] of what was found under `model`. */
function found(ops: readonly WorkloadOp[], model: ConsistencyModel): Record<string, [number, boolean]> {
  return Object.fromEntries(check(ops, model).anomalies.map((an) => [an.name, [an.count, an.allowed]]));
}

const PASS_ALL = Object.fromEntries(MODELS.map((m) => [m, "pass"]));
const FAIL_ALL = Object.fromEntries(MODELS.map((m) => [m, "fail"]));
const UNKNOWN_ALL = Object.fromEntries(MODELS.map((m) => [m, "unknown"]));

describe("clean histories pass under every model", () => {
  it("sequential appends and reads", () => {
    const h = history(
      at(txn(a(X, 1), r(X, 1)), { invokeMs: 0, completeMs: 1 }),
      at(txn(r(X, 1), a(X, 2), a(Y, 1)), { invokeMs: 2, completeMs: 3 }),
      at(txn(r(X, 1, 2), r(Y, 1)), { invokeMs: 4, completeMs: 5 }),
    );
    expect(verdicts(h)).toEqual(PASS_ALL);
    expect(check(h, "strict-serializable").anomalies).toEqual([]);
  });

  it("the paper's opening example (Elle section 2), T1 < T2 < T3, as lists", () => {
    // T1: w(z1) w(x1) w(y1); T2: r(x1) w(y2); T3: w(x3) r(y2) w(z3), with appends for writes.
    const h = history(txn(a(Z, 1), a(X, 1), a(Y, 1)), txn(r(X, 1), a(Y, 2)), txn(a(X, 3), r(Y, 1, 2), a(Z, 3)), txn(r(X, 1, 3), r(Z, 1, 3)));
    expect(verdicts(h)).toEqual(PASS_ALL);
  });

  it("concurrent transactions that can be ordered, with failed and unknown ones around", () => {
    const h = history(
      txn(a(X, 1)),
      at(txn(a(X, 2), rNull(Y)), { type: "fail" }),
      at(txn(a(Y, 7), rNull(X)), { type: "info", completeMs: null }),
      txn(r(X, 1), a(Y, 1)),
      txn(r(Y, 1), r(X, 1)),
    );
    expect(verdicts(h)).toEqual(PASS_ALL);
  });
});

describe("anomalies planted alone", () => {
  it("G0: write cycle, forbidden everywhere", () => {
    const h = history(txn(a(X, 1), a(Y, 1)), txn(a(X, 2), a(Y, 2)), txn(r(X, 1, 2), r(Y, 2, 1)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    expect(found(h, "read-committed")).toEqual({ G0: [1, false] });
    const g0 = check(h, "read-committed").anomalies[0]!;
    expect(g0.witness.summary).toBe("T0 -ww-> T1 -ww-> T0");
  });

  it("G1a: aborted read", () => {
    const h = history(at(txn(a(X, 1)), { type: "fail" }), txn(r(X, 1)), txn(a(Y, 1)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    const g1a = check(h, "read-committed").anomalies.find((an) => an.name === "G1a")!;
    expect(g1a.count).toBe(1);
    expect(g1a.witness.summary).toBe("T1 read key 1 = [1], which holds 1, appended by T0, which failed: T1 saw an aborted write (G1a)");
    expect(g1a.witness.txns.map((t) => [t.index, t.type])).toEqual([
      [0, "fail"],
      [1, "ok"],
    ]);
  });

  it("G1b: intermediate read (also a G-single, as Elle finds: the reader missed the final append)", () => {
    const h = history(txn(a(X, 1), a(X, 2)), txn(r(X, 1)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    expect(found(h, "read-committed")).toEqual({ G1b: [1, false], "G-single": [1, true] });
  });

  it("G1c: circular information flow", () => {
    const h = history(txn(a(X, 1), r(Y, 1)), txn(a(X, 2), a(Y, 1)), txn(r(X, 1, 2)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    expect(found(h, "read-committed")).toEqual({ G1c: [1, false] });
    expect(check(h, "read-committed").anomalies[0]!.witness.summary).toBe("T0 -ww-> T1 -wr-> T0");
  });

  it("G-single: read skew; allowed by read committed only", () => {
    const h = history(txn(a(X, 1), a(Y, 1)), txn(a(X, 2), r(Y)), txn(r(X, 1, 2)));
    expect(verdicts(h)).toEqual({ ...FAIL_ALL, "read-committed": "pass" });
    expect(found(h, "read-committed")).toEqual({ "G-single": [1, true] });
    const result = check(h, "serializable");
    expect(result.why).toBe("G-single (1) not allowed under serializable");
    expect(result.anomalies).toEqual([
      {
        name: "G-single",
        count: 1,
        allowed: false,
        witness: {
          summary: "T0 -ww-> T1 -rw-> T0",
          txns: [
            { index: 0, process: 0, type: "ok", invokeMs: 0, completeMs: 100, value: [a(X, 1), a(Y, 1)] },
            { index: 1, process: 1, type: "ok", invokeMs: 0, completeMs: 101, value: [a(X, 2), r(Y)] },
          ],
          edges: [
            { from: 0, to: 1, type: "ww", why: "T0 appended 1 to key 1 and T1 appended 2 right after 1: T1's write follows T0's (ww)" },
            { from: 1, to: 0, type: "rw", why: "T1 read key 2 = [] and T0 appended 1 (which no read saw, so after the empty list it read): T1 did not see T0's write (rw)" },
          ],
        },
      },
    ]);
  });

  it("G2-item: write skew passes snapshot isolation and fails serializable and repeatable read", () => {
    const h = history(txn(a(X, 1), r(Y)), txn(a(Y, 1), r(X)));
    expect(verdicts(h)).toEqual({ "read-committed": "pass", "repeatable-read": "fail", "snapshot-isolation": "pass", serializable: "fail", "strong-snapshot-isolation": "pass", "strict-serializable": "fail" });
    expect(found(h, "snapshot-isolation")).toEqual({ "G2-item": [1, true] });
    const result = check(h, "serializable");
    expect(result.why).toBe("G2-item (1) not allowed under serializable");
    expect(result.anomalies[0]!.witness).toEqual({
      summary: "T0 -rw-> T1 -rw-> T0",
      txns: [
        { index: 0, process: 0, type: "ok", invokeMs: 0, completeMs: 100, value: [a(X, 1), r(Y)] },
        { index: 1, process: 1, type: "ok", invokeMs: 0, completeMs: 101, value: [a(Y, 1), r(X)] },
      ],
      edges: [
        { from: 0, to: 1, type: "rw", why: "T0 read key 2 = [] and T1 appended 1 (which no read saw, so after the empty list it read): T0 did not see T1's write (rw)" },
        { from: 1, to: 0, type: "rw", why: "T1 read key 1 = [] and T0 appended 1 (which no read saw, so after the empty list it read): T1 did not see T0's write (rw)" },
      ],
    });
  });

  it("G2-item with a wr edge: two adjacent rw edges are still allowed by snapshot isolation", () => {
    // T0 -rw(x)-> T1 -rw(y)-> T2 -wr(y)-> T0
    const h = history(txn(r(X), r(Y, 1)), txn(a(X, 1), r(Y)), txn(a(Y, 1)));
    expect(verdicts(h)).toEqual({ "read-committed": "pass", "repeatable-read": "fail", "snapshot-isolation": "pass", serializable: "fail", "strong-snapshot-isolation": "pass", "strict-serializable": "fail" });
    expect(check(h, "serializable").anomalies[0]!.witness.summary).toBe("T0 -rw-> T1 -rw-> T2 -wr-> T0");
  });

  it("G-nonadjacent: two rw edges that never touch fail snapshot isolation (Elle's G-nonadjacent test)", () => {
    const h = history(txn(a(X, 1)), txn(r(X, 1), r(Y)), txn(a(Y, 1)), txn(r(Y, 1), r(X)));
    expect(verdicts(h)).toEqual({ ...FAIL_ALL, "read-committed": "pass" });
    const nonadjacent = check(h, "snapshot-isolation").anomalies[0]!;
    expect(nonadjacent.name).toBe("G-nonadjacent");
    expect(nonadjacent.witness.summary).toBe("T0 -wr-> T1 -rw-> T2 -wr-> T3 -rw-> T0");
  });

  it("lost-update: two committed read-then-append on the same version", () => {
    const h = history(txn(a(X, 0)), txn(r(X, 0), a(X, 1)), txn(r(X, 0), a(X, 2)));
    expect(verdicts(h)).toEqual({ ...FAIL_ALL, "read-committed": "pass" });
    expect(found(h, "read-committed")).toEqual({ "lost-update": [1, true], "G2-item": [1, true] });
    expect(found(h, "snapshot-isolation")).toEqual({ "lost-update": [1, false], "G2-item": [1, true] });
    const lost = check(h, "snapshot-isolation").anomalies.find((an) => an.name === "lost-update")!;
    expect(lost.witness.summary).toBe("T1 and T2 both read key 1 = [0] and then appended to it (T1 appended 1, T2 appended 2): each missed the other's write (lost update)");
    expect(lost.witness.txns.map((t) => t.index)).toEqual([1, 2]);
  });

  it("lost-update counts each (key, version) once, however many transactions collided", () => {
    const h = history(txn(a(X, 0), a(Y, 0)), txn(r(X, 0), a(X, 1)), txn(r(X, 0), a(X, 2)), txn(r(X, 0), a(X, 3)), txn(r(Y, 0), a(Y, 1)), txn(r(Y, 0), a(Y, 2)));
    expect(found(h, "read-committed")["lost-update"]).toEqual([2, true]);
  });

  it("one transaction reading then appending twice is no lost update (Elle's 'one txn, double write')", () => {
    const h = history(txn(r(X), a(X, 1), a(X, 2)), txn(r(X, 1, 2)));
    expect(verdicts(h)).toEqual(PASS_ALL);
  });

  it("internal: the FaunaDB case, a transaction that misses its own append", () => {
    const h = history(txn(a(0, 6), r(0)), txn(a(X, 1)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    const internal = check(h, "read-committed").anomalies.find((an) => an.name === "internal")!;
    expect(internal.witness.summary).toBe("T0 read key 0 = [], but its own earlier reads and appends of key 0 say it must be [.., 6] (internal inconsistency)");
  });

  it("internal: a read that contradicts an earlier read plus appends (Elle's read-append-read)", () => {
    const h = history(txn(a(X, 1), a(X, 2)), txn(r(X, 1, 2), a(X, 3), r(X, 1, 2)));
    expect(found(h, "serializable").internal).toEqual([1, false]);
  });

  it("future-read: a transaction reads an element it appends later", () => {
    const h = history(txn(a(X, 0)), txn(r(X, 0, 1), a(X, 1)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    expect(found(h, "read-committed")["future-read"]).toEqual([1, false]);
  });

  it("incompatible-order: two reads no single order explains", () => {
    const h = history(txn(a(X, 1)), txn(a(X, 2)), txn(a(X, 3)), txn(r(X, 1, 2)), txn(r(X, 1, 3)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    const incompatible = check(h, "serializable").anomalies.find((an) => an.name === "incompatible-order")!;
    expect(incompatible.count).toBe(1);
    expect(incompatible.witness.txns.map((t) => t.index)).toEqual([4, 3]);
    expect(incompatible.witness.summary).toBe("T4 read key 1 = [1, 3] and T3 read it = [1, 2]: they differ at position 1 (3 vs 2), so no single order of appends explains both");
  });

  it("duplicate-elements: an element twice in one read", () => {
    const h = history(txn(a(X, 1)), txn(a(X, 2)), txn(r(X, 1, 2, 1)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    expect(found(h, "read-committed")["duplicate-elements"]).toEqual([1, false]);
  });

  it("dirty-update: a committed append right after a failed one", () => {
    const h = history(at(txn(a(X, 1)), { type: "fail" }), txn(a(X, 2)), txn(r(X, 1, 2)));
    expect(verdicts(h)).toEqual(FAIL_ALL);
    expect(found(h, "read-committed")).toMatchObject({ G1a: [1, false], "dirty-update": [1, false] });
  });
});

describe("process and realtime order (strong and strict models only)", () => {
  it("a stale read passes serializable and fails strict serializable and strong snapshot isolation", () => {
    const h = history(at(txn(a(X, 1)), { invokeMs: 0, completeMs: 10 }), at(txn(r(X)), { invokeMs: 20, completeMs: 30 }));
    expect(verdicts(h)).toEqual({ ...PASS_ALL, "strong-snapshot-isolation": "fail", "strict-serializable": "fail" });
    const anomaly = check(h, "strict-serializable").anomalies[0]!;
    expect(anomaly.name).toBe("G-single-realtime");
    expect(anomaly.witness.edges).toEqual([
      { from: 0, to: 1, type: "realtime", why: "T0 completed at 10 ms, before T1 was invoked at 20 ms (realtime)" },
      { from: 1, to: 0, type: "rw", why: "T1 read key 1 = [] and T0 appended 1 (which no read saw, so after the empty list it read): T1 did not see T0's write (rw)" },
    ]);
  });

  it("ops that overlap, even by a millisecond's tie, are concurrent: no realtime edge", () => {
    const h = history(at(txn(a(X, 1)), { invokeMs: 0, completeMs: 10 }), at(txn(r(X)), { invokeMs: 10, completeMs: 30 }));
    expect(verdicts(h)).toEqual(PASS_ALL);
  });

  it("a process whose ops overlap (a recorder bug) gets no process edge: no order is assumed", () => {
    const h = history(at(txn(a(X, 1)), { process: 7, invokeMs: 0, completeMs: 30 }), at(txn(r(X)), { process: 7, invokeMs: 20, completeMs: 40 }));
    expect(verdicts(h)).toEqual(PASS_ALL);
  });

  it("the why line names every forbidden anomaly with its count", () => {
    const h = history(txn(a(X, 0)), txn(r(X, 0), a(X, 1)), txn(r(X, 0), a(X, 2)), txn(a(Y, 1), a(Z, 1)), txn(a(Y, 2), a(Z, 2)), txn(r(Y, 1, 2), r(Z, 2, 1)));
    expect(check(h, "serializable").why).toBe("G0 (1), G2-item (1) and lost-update (1) not allowed under serializable");
  });

  it("a process that misses its own previous write: G-single-process (Elle's strong session SI violation)", () => {
    const h = history(
      at(txn(a(X, 1)), { process: 0, invokeMs: 0, completeMs: 50 }),
      at(txn(a(X, 2)), { process: 1, invokeMs: 0, completeMs: 10 }),
      at(txn(r(X, 1)), { process: 1, invokeMs: 20, completeMs: 50 }),
      at(txn(r(X, 1, 2)), { process: 2, invokeMs: 0, completeMs: 60 }),
    );
    expect(verdicts(h)).toEqual({ ...PASS_ALL, "strong-snapshot-isolation": "fail", "strict-serializable": "fail" });
    expect(found(h, "strict-serializable")).toEqual({ "G-single-process": [1, false] });
    expect(check(h, "strict-serializable").anomalies[0]!.witness.edges[0]).toEqual({ from: 1, to: 2, type: "process", why: "T1 and T2 ran on process 1, T1 first (process)" });
  });

  it("write skew closed by realtime order: strong SI allows G2-item-realtime, strict serializable does not", () => {
    // T0 -rw(x)-> T1 -rw(y)-> T2 -realtime-> T0: two adjacent rw edges, so no G-single anywhere.
    const h = history(
      at(txn(r(X)), { invokeMs: 20, completeMs: 30 }),
      at(txn(a(X, 1), r(Y)), { invokeMs: 0, completeMs: 100 }),
      at(txn(a(Y, 1)), { invokeMs: 0, completeMs: 10 }),
    );
    expect(verdicts(h)).toEqual({ ...PASS_ALL, "strict-serializable": "fail" });
    expect(found(h, "strong-snapshot-isolation")).toEqual({ "G2-item-realtime": [1, true] });
    expect(check(h, "strict-serializable").anomalies[0]!.witness.summary).toBe("T0 -rw-> T1 -rw-> T2 -realtime-> T0");
  });

  it("the same cycle with a single rw edge is G-single-realtime: strong SI forbids it", () => {
    const h = history(
      at(txn(r(Y), r(Z, 1)), { invokeMs: 0, completeMs: 100 }),
      at(txn(a(Y, 1)), { invokeMs: 0, completeMs: 10 }),
      at(txn(a(Z, 1)), { invokeMs: 20, completeMs: 30 }),
    );
    expect(verdicts(h)).toEqual({ ...PASS_ALL, "strong-snapshot-isolation": "fail", "strict-serializable": "fail" });
    expect(check(h, "strong-snapshot-isolation").anomalies[0]!.witness.summary).toBe("T0 -rw-> T1 -realtime-> T2 -wr-> T0");
  });
});

describe("the Elle paper's examples", () => {
  it("figure 2: the G-single found in a real test (T1 < T2 < T3 < T1)", () => {
    const h = history(
      txn(a(253, 1), a(253, 3), a(253, 4), a(255, 2), a(255, 3), a(255, 4), a(255, 5), a(256, 1), a(256, 2)),
      txn(a(255, 8), r(253, 1, 3, 4)),
      txn(a(256, 4), r(255, 2, 3, 4, 5, 8), r(256, 1, 2, 4), r(253, 1, 3, 4)),
      txn(a(250, 10), r(253, 1, 3, 4), r(255, 2, 3, 4, 5), a(256, 3)),
    );
    const result = check(h, "serializable");
    expect(result.verdict).toBe("fail");
    expect(result.anomalies.map((an) => an.name)).toEqual(["G-single"]);
    expect(result.anomalies[0]!.witness.edges).toEqual([
      { from: 1, to: 2, type: "wr", why: "T1 appended 8 to key 255 and T2 read key 255 = [2, 3, 4, 5, 8]: T2 saw T1's write (wr)" },
      { from: 2, to: 3, type: "ww", why: "T2 appended 4 to key 256 and T3 appended 3 (which no read saw, so after every element read of key 256): T3's write follows T2's (ww)" },
      { from: 3, to: 1, type: "rw", why: "T3 read key 255 = [2, 3, 4, 5] and T1 appended 8 right after 5: T3 did not see T1's write (rw)" },
    ]);
  });

  it("TiDB: read skew from retried transactions, T1: r(34,[2,1]) a(36,5) a(34,4); T2: a(34,5); T3: r(34,[2,1,5,4])", () => {
    const h = history(txn(a(34, 2), a(34, 1)), txn(r(34, 2, 1), a(36, 5), a(34, 4)), txn(a(34, 5)), txn(r(34, 2, 1, 5, 4)));
    const result = check(h, "snapshot-isolation");
    expect(result.anomalies.map((an) => [an.name, an.witness.summary])).toEqual([["G-single", "T1 -rw-> T2 -ww-> T1"]]);
  });

  it("YugaByte DB: two transactions miss each other's appends (G2-item): passes SI, fails serializable", () => {
    const h = history(
      txn(a(3, 831), a(3, 833), a(3, 836), a(4, 874), a(4, 877), a(4, 883)),
      txn(a(3, 837), r(4, 874, 877, 883)),
      txn(a(4, 885), r(3, 831, 833, 836)),
      txn(r(3, 831, 833, 836, 837), r(4, 874, 877, 883, 885)),
    );
    expect(check(h, "snapshot-isolation").verdict).toBe("pass");
    const result = check(h, "serializable");
    expect(result.anomalies.map((an) => [an.name, an.witness.summary])).toEqual([["G2-item", "T1 -rw-> T2 -rw-> T1"]]);
  });
});

describe("info and failed transactions", () => {
  it("an observed append of an info transaction took effect; ww passes over it to the next committed append", () => {
    // T0 -ww-> (info T1) -ww-> T2 gives T0 -ww-> T2: no cycle.
    const h = history(txn(a(X, 1)), at(txn(a(X, 2)), { type: "info", completeMs: null }), txn(a(X, 3)), txn(r(X, 1, 2, 3)));
    expect(verdicts(h)).toEqual(PASS_ALL);
    // T0 -ww(x, across T1's 2)-> T2 and T2 -rw(y)-> T0: T2 missed T0's y, yet appended to x after it.
    const cyclic = history(txn(a(X, 1), a(Y, 1)), at(txn(a(X, 2)), { type: "info", completeMs: null }), txn(a(X, 3), r(Y)), txn(r(X, 1, 2, 3)));
    expect(found(cyclic, "serializable")).toEqual({ "G-single": [1, false] });
    expect(check(cyclic, "serializable").anomalies[0]!.witness.edges[0]!.why).toBe(
      "T0 appended 1 to key 1 and T2 appended 3 after 1 (past 1 element(s) appended by ops not known to have committed): T2's write follows T0's (ww)",
    );
  });

  it("an unobserved append of a failed transaction is nothing", () => {
    const h = history(at(txn(a(X, 9)), { type: "fail" }), txn(a(X, 1)), txn(r(X, 1)));
    expect(verdicts(h)).toEqual(PASS_ALL);
  });

  it("no committed transaction: unknown, nothing was shown (Elle's empty-transaction-graph)", () => {
    const h = history(at(txn(a(X, 1)), { type: "fail" }), at(txn(rNull(X)), { type: "info", completeMs: null }));
    expect(verdicts(h)).toEqual(UNKNOWN_ALL);
  });
});

describe("bad input is never a pass", () => {
  it("a read of an element nobody appended", () => {
    const h = history(txn(a(X, 1)), txn(r(X, 1, 42)));
    for (const model of MODELS) {
      const result = check(h, model);
      expect(result.verdict).toBe("unknown");
      expect(result.problems).toEqual([{ line: 2, message: "key 1: read element 42, which no op of the history appended" }]);
    }
    expect(check(h, "serializable").why).toBe("bad input: line 2: key 1: read element 42, which no op of the history appended");
  });

  it("an op that completes before it is invoked", () => {
    const h = history(txn(a(X, 1)), at(txn(r(X, 1)), { invokeMs: 50, completeMs: 40 }));
    expect(check(h, "serializable")).toMatchObject({ verdict: "unknown", problems: [{ line: 2, message: "completeMs 40 is before invokeMs 50" }] });
  });

  it("times that are not finite numbers", () => {
    const h = history(txn(a(X, 1)), at(txn(r(X, 1)), { invokeMs: Number.NaN }));
    expect(check(h, "serializable").problems).toEqual([{ line: 2, message: "invokeMs NaN / completeMs 101: expected finite numbers of ms" }]);
  });

  it("a malformed micro-op names its position and the expected shape", () => {
    const h: WorkloadOp[] = [{ index: 0, process: 0, f: "txn", type: "ok", invokeMs: 0, completeMs: 1, value: [["append", 1, 1], ["w", 1, 2]] }];
    expect(check(h, "serializable").problems).toEqual([{ line: 1, message: 'value[1]: expected ["append", key, element] or ["r", key, list | null] with integer key and elements, got ["w",1,2]' }]);
  });

  it("an ok transaction whose read has no list, an op of another workload, duplicate appends", () => {
    expect(check(history(txn(rNull(X))), "serializable").problems[0]!.message).toMatch(/has no list, but the transaction is ok/);
    const register: WorkloadOp[] = [{ index: 0, process: 0, f: "read", type: "ok", invokeMs: 0, completeMs: 1, value: { key: 1, value: 2 } }];
    expect(check(register, "serializable").problems).toEqual([{ line: 1, message: 'f: expected "txn" in a list-append history, got "read"' }]);
    expect(check(history(txn(a(X, 1)), txn(a(X, 1))), "serializable")).toMatchObject({ verdict: "unknown", problems: [{ line: 2, message: "element 1 appended to key 1 twice (also by op 0): appends must be unique to infer versions" }] });
  });

  it("problems from reading the history file make the verdict unknown even when the ops are fine", () => {
    const h = history(txn(a(X, 1)), txn(r(X, 1)));
    const result = checkListAppend(h, { model: "serializable", inputProblems: [{ line: 7, message: "h.ndjson: not JSON" }] });
    expect(result).toMatchObject({ verdict: "unknown", why: "bad input: line 7: h.ndjson: not JSON" });
  });
});

describe("budget", () => {
  /** Write skews only (no non-cycle anomaly): the verdict depends on the cycle search alone. */
  const writeSkews = history(...Array.from({ length: 200 }, (_, i) => [txn(a(10 * i, 1), r(10 * i + 1)), txn(a(10 * i + 1, 1), r(10 * i))]).flat());

  it("a search cut by the budget is unknown, never a pass", () => {
    const result = check(writeSkews, "serializable", 0);
    expect(result.verdict).toBe("unknown");
    expect(result.why).toMatch(/budget ran out/);
    expect(check(writeSkews, "serializable").verdict).toBe("fail");
  });

  it("a forbidden anomaly found before the budget ran out still fails", () => {
    const h = [...writeSkews, ...history(txn(a(5000, 0)), txn(r(5000, 0), a(5000, 1)), txn(r(5000, 0), a(5000, 2))).map((op) => ({ ...op, index: op.index + 400 }))];
    const result = check(h, "snapshot-isolation", 0);
    expect(result.verdict).toBe("fail");
    expect(result.why).toMatch(/^lost-update \(1\) not allowed under snapshot-isolation; the search then stopped: /);
  });
});
