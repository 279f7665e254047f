import { describe, expect, it } from "vitest";
import { BankResult, checkBank } from "../../judge/checkers/bank.ts";
import type { BankOptions } from "../../judge/checkers/bank.ts";
import type { WorkloadOp } from "../../judge/checkers/workload-op.ts";

const ACCOUNTS = [0, 1, 2];
const OPTIONS: BankOptions = { accounts: ACCOUNTS, initialTotal: 30 };

let next = 0;
function op(f: string, value: unknown, extra: Partial<WorkloadOp> = {}): WorkloadOp {
  const index = next++;
  return { index, process: 0, f, type: "ok", invokeMs: index, completeMs: index + 0.5, value, ...extra };
}
const read = (balances: Record<number, number> | null, extra: Partial<WorkloadOp> = {}) => op("read", { balances }, extra);
const transfer = (from: number, to: number, amount: number, extra: Partial<WorkloadOp> = {}) => op("transfer", { from, to, amount }, extra);

function check(ops: WorkloadOp[], options: BankOptions = OPTIONS) {
  const result = checkBank(ops, options);
  BankResult.parse(result);
  return result;
}

describe("bank checker", () => {
  it("passes when every committed read sums to the total and lists every account", () => {
    next = 0;
    const result = check([read({ 0: 10, 1: 10, 2: 10 }), transfer(0, 1, 5), read({ 0: 5, 1: 15, 2: 10 })]);
    expect(result).toMatchObject({ verdict: "pass", readsChecked: 2, badReads: 0, firstBad: null, problems: [] });
    expect(result.why).toBe("all 2 committed reads list the 3 accounts, total 30, none negative");
  });

  it("a wrong total fails and names the first bad read with what it saw", () => {
    next = 0;
    const ops = [read({ 0: 10, 1: 10, 2: 10 }), transfer(0, 1, 5), read({ 0: 5, 1: 10, 2: 10 }), read({ 0: 5, 1: 20, 2: 10 })];
    const result = check(ops);
    expect(result.verdict).toBe("fail");
    expect(result.badReads).toBe(2);
    expect(result.badReadCounts).toEqual({ wrongTotal: 2, negative: 0, missingAccount: 0, unexpectedAccount: 0 });
    expect(result.firstBad).toEqual({ index: 2, line: 3, total: 25, expected: 30, balances: { 0: 5, 1: 10, 2: 10 }, reasons: ["total 25, expected 30"] });
    expect(result.why).toBe("2 of 3 committed reads are wrong; the first, op 2 (line 3): total 25, expected 30");
  });

  it("a negative balance fails unless the workload allows overdrafts", () => {
    next = 0;
    const ops = [read({ 0: -5, 1: 25, 2: 10 })];
    expect(check(ops).firstBad?.reasons).toEqual(["negative balance: 0 = -5"]);
    expect(check(ops, { ...OPTIONS, allowNegative: true }).verdict).toBe("pass");
  });

  it("a read missing an account, or listing one the bank does not have, fails", () => {
    next = 0;
    const result = check([read({ 0: 15, 1: 15 }), read({ 0: 10, 1: 10, 2: 10, 9: 0 })]);
    expect(result.badReadCounts).toEqual({ wrongTotal: 0, negative: 0, missingAccount: 1, unexpectedAccount: 1 });
    expect(result.firstBad?.reasons).toEqual(["missing account(s) 2"]);
  });

  it("failed and unknown reads are not checked; only committed ones count", () => {
    next = 0;
    const result = check([read(null, { type: "info", completeMs: null }), read({ 0: 1, 1: 1, 2: 1 }, { type: "fail" }), read({ 0: 10, 1: 10, 2: 10 })]);
    expect(result).toMatchObject({ verdict: "pass", readsChecked: 1 });
  });

  it("bad input is never a pass: malformed values, an ok read without balances, unknown accounts in transfers", () => {
    next = 0;
    const result = check([read({ 0: 10, 1: 10, 2: 10 }), op("transfer", { from: 0, to: 1, amount: -3 }), read(null), transfer(0, 7, 1), op("txn", [])]);
    expect(result.verdict).toBe("unknown");
    expect(result.problems).toEqual([
      { line: 2, message: "value: expected { from, to, amount > 0 } for a transfer: amount: Too small: expected number to be >0" },
      { line: 3, message: "value.balances: null, but the read is ok (a committed read must say what it saw)" },
      { line: 4, message: "transfer between 0 and 7: not both among the accounts [0, 1, 2]" },
      { line: 5, message: 'f: expected "transfer" or "read" in a bank history, got "txn"' },
    ]);
    expect(result.why).toMatch(/^bad input: line 2: value: expected/);
  });

  it("problems from reading the file make it unknown; no committed read at all is unknown too", () => {
    next = 0;
    expect(checkBank([read({ 0: 10, 1: 10, 2: 10 })], { ...OPTIONS, inputProblems: [{ line: 3, message: "not JSON" }] }).verdict).toBe("unknown");
    expect(check([transfer(0, 1, 1)])).toMatchObject({ verdict: "unknown", why: "no committed read among 1 ops: nothing to check" });
  });
});
