import { describe, expect, it } from "vitest";
import { edn, toJepsenEdn } from "../../judge/checkers/jepsen-edn.ts";
import type { WorkloadOp } from "../../judge/checkers/workload-op.ts";

function op(index: number, process: number, f: string, type: WorkloadOp["type"], invokeMs: number, completeMs: number | null, value: unknown, error?: string): WorkloadOp {
  return { index, process, f, type, invokeMs, completeMs, value, ...(error === undefined ? {} : { error }) };
}

describe("toJepsenEdn", () => {
  it("list-append: invocations with nil reads, completions, time order, :index per event, :error, an op that never completed", () => {
    const ops = [
      op(0, 0, "txn", "ok", 0, 1.5, [["append", 3, 5], ["r", 3, [1, 2, 5]]]),
      op(1, 1, "txn", "fail", 1, 2, [["append", 4, 1]], "conflict"),
      op(2, 0, "txn", "info", 2, null, [["r", 3, null]], "timeout"),
    ];
    expect(toJepsenEdn(ops)).toBe(
      [
        "{:index 0, :time 0, :type :invoke, :process 0, :f :txn, :value [[:append 3 5] [:r 3 nil]]}",
        "{:index 1, :time 1000000, :type :invoke, :process 1, :f :txn, :value [[:append 4 1]]}",
        "{:index 2, :time 1500000, :type :ok, :process 0, :f :txn, :value [[:append 3 5] [:r 3 [1 2 5]]]}",
        '{:index 3, :time 2000000, :type :fail, :process 1, :f :txn, :value [[:append 4 1]], :error "conflict"}',
        "{:index 4, :time 2000000, :type :invoke, :process 0, :f :txn, :value [[:r 3 nil]]}",
        '{:index 5, :time 2000000, :type :info, :process 0, :f :txn, :value [[:r 3 nil]], :error "timeout"}',
        "",
      ].join("\n"),
    );
  });

  it("register: Knossos cas-register values per key, [k v] and [k [from to]]; a completion at an invocation's time goes first", () => {
    const ops = [
      op(0, 0, "write", "ok", 0, 1, { key: 1, value: 3 }),
      op(1, 1, "read", "ok", 0.5, 2, { key: 1, value: 3 }),
      op(2, 0, "cas", "fail", 1, 3, { key: 1, from: 3, to: 4 }),
      op(3, 2, "read", "ok", 4, 5, { key: 1, value: null }),
    ];
    expect(toJepsenEdn(ops)).toBe(
      [
        "{:index 0, :time 0, :type :invoke, :process 0, :f :write, :value [1 3]}",
        "{:index 1, :time 500000, :type :invoke, :process 1, :f :read, :value [1 nil]}",
        "{:index 2, :time 1000000, :type :ok, :process 0, :f :write, :value [1 3]}",
        "{:index 3, :time 1000000, :type :invoke, :process 0, :f :cas, :value [1 [3 4]]}",
        "{:index 4, :time 2000000, :type :ok, :process 1, :f :read, :value [1 3]}",
        "{:index 5, :time 3000000, :type :fail, :process 0, :f :cas, :value [1 [3 4]]}",
        "{:index 6, :time 4000000, :type :invoke, :process 2, :f :read, :value [1 nil]}",
        "{:index 7, :time 5000000, :type :ok, :process 2, :f :read, :value [1 nil]}",
        "",
      ].join("\n"),
    );
  });

  it("bank: transfers as maps, reads as account -> balance maps (nil when invoked)", () => {
    const ops = [op(0, 0, "transfer", "ok", 0, 1, { from: 0, to: 1, amount: 5 }), op(1, 0, "read", "ok", 2, 3, { balances: { 0: 5, 1: 15 } })];
    expect(toJepsenEdn(ops)).toBe(
      [
        "{:index 0, :time 0, :type :invoke, :process 0, :f :transfer, :value {:from 0, :to 1, :amount 5}}",
        "{:index 1, :time 1000000, :type :ok, :process 0, :f :transfer, :value {:from 0, :to 1, :amount 5}}",
        "{:index 2, :time 2000000, :type :invoke, :process 0, :f :read, :value nil}",
        "{:index 3, :time 3000000, :type :ok, :process 0, :f :read, :value {0 5, 1 15}}",
        "",
      ].join("\n"),
    );
  });

  it("an op that takes no time keeps its invocation first", () => {
    const lines = toJepsenEdn([op(0, 0, "txn", "ok", 5, 5, [["append", 1, 1]])]).split("\n");
    expect(lines[0]).toMatch(/:type :invoke/);
    expect(lines[1]).toMatch(/:type :ok/);
  });

  it("EDN values: strings escaped, odd names as strings, non-finite numbers", () => {
    expect(edn({ a: 'say "hi"\n', "has space": [1.5, null, true] })).toBe('{:a "say \\"hi\\"\\n", "has space" [1.5 nil true]}');
    expect(edn([Number.NaN, Number.POSITIVE_INFINITY, 1e21])).toBe("[##NaN ##Inf 1e21]");
  });
});
