import { z } from "zod";
import { formatCount } from "../../core/format.ts";
import type { History } from "../../core/history.ts";
import type { BankEvidence, SloResult } from "../../core/verdict.ts";
import { checkBank, type BankResult } from "../checkers/bank.ts";
import type { SloKind } from "../slo-kind.ts";
import { sloBase } from "./slo-fields.ts";
import { resolveWindow } from "./window.ts";
import { historyFileOf, readClassHistory, workloadMismatch } from "./workload-history.ts";

/**
 * A bank workload's history (a `workload: "bank"` class) keeps its money: every committed read lists every account,
 * sums to the opening total (accounts x initialBalance of the class) and shows no negative balance. FAIL counts
 * the bad reads and names the first (its op, line, balances and what is wrong). Bad input, a missing history or no
 * committed read: unknown.
 */
export const BankSlo = z
  .object({
    kind: z.literal("bank"),
    ...sloBase,
    /** Whether a balance may go below zero. Default false. */
    allowNegative: z.boolean().default(false),
  })
  .strict();
export type BankSloSpec = z.infer<typeof BankSlo>;

const targetOf = (slo: BankSloSpec, total: number | undefined) => `0 bad reads (total ${total ?? "?"}${slo.allowNegative ? "" : ", none negative"})`;

/** The SLO's row from a checker's result (pure). */
export function bankResult(slo: BankSloSpec, history: History, result: BankResult, bank: { accounts: number[]; initialTotal: number }): SloResult {
  const run = resolveWindow({ kind: "run" }, history);
  const evidence: BankEvidence = {
    historyFile: historyFileOf(slo.traffic),
    accounts: bank.accounts.length,
    initialTotal: bank.initialTotal,
    readsChecked: result.readsChecked,
    badReads: result.badReads,
    badReadCounts: result.badReadCounts,
    firstBad: result.firstBad,
    problems: result.problems.slice(0, 20),
    elapsedMs: Math.round(result.elapsedMs),
  };
  const c = result.badReadCounts;
  const kinds = [c.wrongTotal && `wrong total x${formatCount(c.wrongTotal)}`, c.negative && `negative x${formatCount(c.negative)}`, c.missingAccount && `missing account x${formatCount(c.missingAccount)}`, c.unexpectedAccount && `unknown account x${formatCount(c.unexpectedAccount)}`].filter(Boolean);
  const why =
    result.verdict === "fail"
      ? `${slo.traffic} lost or made money: ${kinds.join(", ")}; ${result.why}`
      : result.verdict === "unknown"
        ? `${slo.traffic} bank cannot be judged: ${result.why}`
        : `${slo.traffic}: ${result.why}`;
  const observed = result.verdict === "unknown" && result.badReads === 0 ? null : result.badReads;
  return { id: slo.id, kind: slo.kind, target: targetOf(slo, bank.initialTotal), unit: "bad reads", window: run.window, verdict: result.verdict, observed, why, bank: evidence };
}

export async function checkBankSlo(slo: BankSloSpec, history: History, ctx: { runDir?: string; bankOf?(traffic: string): { accounts: number[]; initialTotal: number } | undefined }): Promise<SloResult> {
  const run = resolveWindow({ kind: "run" }, history);
  const bank = ctx.bankOf?.(slo.traffic);
  const base = { id: slo.id, kind: slo.kind, target: targetOf(slo, bank?.initialTotal), unit: "bad reads", window: run.window, observed: null };
  if (bank === undefined) return { ...base, verdict: "unknown", why: `${slo.traffic} is not a bank workload this run knows (its accounts and opening total are unknown)` };
  const found = await readClassHistory(slo.traffic, ctx.runDir);
  if ("missing" in found) return { ...base, verdict: "unknown", why: found.missing };
  const result = checkBank(found.history.ops, { accounts: bank.accounts, initialTotal: bank.initialTotal, allowNegative: slo.allowNegative, inputProblems: found.history.problems });
  return bankResult(slo, history, result, bank);
}

export const bankKind: SloKind<BankSloSpec> = {
  kind: "bank",
  schema: BankSlo,
  validate(slo, view, report, path) {
    const wrong = workloadMismatch("bank", "bank", slo.traffic, view.trafficClass(slo.traffic));
    if (wrong !== undefined) report([...path, "traffic"], wrong);
  },
  judge: (slo, history, ctx) => checkBankSlo(slo, history, ctx),
};
