import { performance } from "node:perf_hooks";
import { z } from "zod";
import { describeProblems, Problem, Verdict } from "./result.ts";
import type { WorkloadOp } from "./workload-op.ts";

/**
 * Jepsen's bank checker: transfers move money between accounts inside transactions, so under snapshot isolation or
 * anything stronger every committed read sees the same total, lists every account, and (unless the workload allows
 * overdrafts) no negative balance. Transfers are only validated as input; failed and unknown reads are not checked.
 */
export interface BankOptions {
  accounts: readonly number[];
  initialTotal: number;
  allowNegative?: boolean;
  /** Problems found while reading the history file: any makes the verdict unknown. */
  inputProblems?: readonly Problem[];
}

export const BadRead = z.object({
  index: z.number().int(),
  line: z.number().int(),
  total: z.number(),
  expected: z.number(),
  balances: z.record(z.string(), z.number()),
  /** Everything wrong with this read, in words. */
  reasons: z.array(z.string()),
});
export type BadRead = z.infer<typeof BadRead>;

export const BankResult = z.object({
  verdict: Verdict,
  why: z.string(),
  opsChecked: z.number().int().min(0),
  readsChecked: z.number().int().min(0),
  /** Committed reads with at least one fault; a read can count under several kinds below. */
  badReads: z.number().int().min(0),
  badReadCounts: z.object({
    wrongTotal: z.number().int().min(0),
    negative: z.number().int().min(0),
    missingAccount: z.number().int().min(0),
    unexpectedAccount: z.number().int().min(0),
  }),
  /** The bad read with the lowest index. */
  firstBad: BadRead.nullable(),
  problems: z.array(Problem),
  elapsedMs: z.number().min(0),
});
export type BankResult = z.infer<typeof BankResult>;

const Transfer = z.object({ from: z.number().int(), to: z.number().int(), amount: z.number().positive() }).strict();
const Read = z.object({ balances: z.record(z.string().regex(/^-?\d+$/, "an integer account number"), z.number()).nullable() }).strict();

/** Totals are sums of numbers that may not be integers: equal within a billionth of the expected total. */
function sameTotal(total: number, expected: number): boolean {
  return Math.abs(total - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

export function checkBank(ops: readonly WorkloadOp[], options: BankOptions): BankResult {
  const startMs = performance.now();
  const accounts = new Set(options.accounts);
  const problems: Problem[] = [...(options.inputProblems ?? [])];
  const counts = { wrongTotal: 0, negative: 0, missingAccount: 0, unexpectedAccount: 0 };
  let readsChecked = 0;
  let badReads = 0;
  let firstBad: BadRead | null = null;
  for (const op of ops) {
    const line = op.index + 1;
    if (op.completeMs !== null && op.completeMs < op.invokeMs) {
      problems.push({ line, message: `completeMs ${op.completeMs} is before invokeMs ${op.invokeMs}` });
      continue;
    }
    if (op.f === "transfer") {
      const transfer = Transfer.safeParse(op.value);
      if (!transfer.success) problems.push({ line, message: `value: expected { from, to, amount > 0 } for a transfer: ${issues(transfer.error)}` });
      else if (!accounts.has(transfer.data.from) || !accounts.has(transfer.data.to)) problems.push({ line, message: `transfer between ${transfer.data.from} and ${transfer.data.to}: not both among the accounts [${options.accounts.join(", ")}]` });
      continue;
    }
    if (op.f !== "read") {
      problems.push({ line, message: `f: expected "transfer" or "read" in a bank history, got ${JSON.stringify(op.f)}` });
      continue;
    }
    const read = Read.safeParse(op.value);
    if (!read.success) {
      problems.push({ line, message: `value: expected { balances: { [account]: number } | null } for a read: ${issues(read.error)}` });
      continue;
    }
    if (op.type !== "ok") continue;
    const balances = read.data.balances;
    if (balances === null) {
      problems.push({ line, message: "value.balances: null, but the read is ok (a committed read must say what it saw)" });
      continue;
    }
    readsChecked++;
    const reasons: string[] = [];
    let total = 0;
    const negative: string[] = [];
    for (const [account, balance] of Object.entries(balances)) {
      total += balance;
      if (balance < 0 && options.allowNegative !== true) negative.push(`${account} = ${balance}`);
    }
    const missing = options.accounts.filter((account) => !(String(account) in balances));
    const unexpected = Object.keys(balances).filter((account) => !accounts.has(Number(account)));
    if (!sameTotal(total, options.initialTotal)) {
      counts.wrongTotal++;
      reasons.push(`total ${total}, expected ${options.initialTotal}`);
    }
    if (negative.length > 0) {
      counts.negative++;
      reasons.push(`negative balance: ${negative.join(", ")}`);
    }
    if (missing.length > 0) {
      counts.missingAccount++;
      reasons.push(`missing account(s) ${missing.join(", ")}`);
    }
    if (unexpected.length > 0) {
      counts.unexpectedAccount++;
      reasons.push(`account(s) ${unexpected.join(", ")} not in the bank`);
    }
    if (reasons.length === 0) continue;
    badReads++;
    if (firstBad === null || op.index < firstBad.index) firstBad = { index: op.index, line, total, expected: options.initialTotal, balances, reasons };
  }
  const base = { opsChecked: ops.length, readsChecked, badReadCounts: counts, elapsedMs: 0 };
  let verdict: Verdict;
  let why: string;
  if (problems.length > 0) {
    verdict = "unknown";
    why = describeProblems(problems);
  } else if (firstBad !== null) {
    verdict = "fail";
    why = `${badReads} of ${readsChecked} committed reads are wrong; the first, op ${firstBad.index} (line ${firstBad.line}): ${firstBad.reasons.join("; ")}`;
  } else if (readsChecked === 0) {
    verdict = "unknown";
    why = `no committed read among ${ops.length} ops: nothing to check`;
  } else {
    verdict = "pass";
    why = `all ${readsChecked} committed reads list the ${options.accounts.length} accounts, total ${options.initialTotal}${options.allowNegative === true ? "" : ", none negative"}`;
  }
  return { verdict, why, ...base, badReads, firstBad, problems, elapsedMs: performance.now() - startMs };
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 2)
    .map((issue) => `${issue.path.length === 0 ? "value" : issue.path.map(String).join(".")}: ${issue.message.replace(/^Invalid input: /, "")}`)
    .join("; ");
}
