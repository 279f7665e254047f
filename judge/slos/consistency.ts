import { z } from "zod";
import { boundedDuration } from "../../core/duration.ts";
import { formatCount } from "../../core/format.ts";
import type { History } from "../../core/history.ts";
import type { ConsistencyEvidence, SloResult } from "../../core/verdict.ts";
import { checkListAppend, DEFAULT_BUDGET_MS } from "../checkers/list-append/check.ts";
import { ConsistencyModel, type ConsistencyResult } from "../checkers/result.ts";
import type { SloKind } from "../slo-kind.ts";
import { sloBase } from "./slo-fields.ts";
import { resolveWindow } from "./window.ts";
import { historyFileOf, readClassHistory, workloadMismatch } from "./workload-history.ts";

/**
 * A list-append workload's history (a `workload` class's `history-<traffic>.ndjson`) holds the isolation level
 * `model` (Elle: serializable, snapshot-isolation, repeatable-read, read-committed, and the strict variants). FAIL
 * names every anomaly the model forbids with its count and smallest witness (in report.json's `consistency`);
 * unknown, never PASS, on bad input, a missing history, nothing committed or a search cut short by `budget`.
 */
export const ConsistencySlo = z
  .object({
    kind: z.literal("consistency"),
    ...sloBase,
    /** The isolation level the history must hold. Default serializable. */
    model: ConsistencyModel.default("serializable"),
    /** Time the checker may take; past it the verdict is unknown unless a forbidden anomaly was already found. Default 10 s. */
    budget: boundedDuration({ minMs: 100, maxMs: 600_000 }).default(DEFAULT_BUDGET_MS),
  })
  .strict();
export type ConsistencySloSpec = z.infer<typeof ConsistencySlo>;

export { historyFileOf } from "./workload-history.ts";

/** The SLO's row from a checker's result (pure: the unit tests feed recorded histories through it). */
export function consistencyResult(slo: ConsistencySloSpec, history: History, result: ConsistencyResult): SloResult {
  const run = resolveWindow({ kind: "run" }, history);
  const forbidden = result.anomalies.filter((a) => !a.allowed);
  const observed = result.verdict === "unknown" && forbidden.length === 0 ? null : forbidden.reduce((n, a) => n + a.count, 0);
  const evidence: ConsistencyEvidence = {
    model: result.model,
    opsChecked: result.opsChecked,
    elapsedMs: Math.round(result.elapsedMs),
    anomalies: result.anomalies,
    problems: result.problems.slice(0, 20),
    historyFile: historyFileOf(slo.traffic),
  };
  const named = forbidden.map((a) => `${a.name} x${formatCount(a.count)}`).join(", ");
  const allowed = result.anomalies.filter((a) => a.allowed).map((a) => `${a.name} x${formatCount(a.count)}`);
  const allowedNote = allowed.length > 0 ? `; allowed by ${slo.model}: ${allowed.join(", ")}` : "";
  const tally = `${formatCount(result.opsChecked)} ops checked in ${Math.round(result.elapsedMs)} ms`;
  let why: string;
  if (result.verdict === "fail") {
    const first = forbidden[0]!;
    why = `${slo.traffic} is not ${slo.model}: ${named}; e.g. ${first.name}: ${first.witness.summary} (${tally}${allowedNote})`;
  } else if (result.verdict === "unknown") {
    why = `${slo.traffic} consistency cannot be judged: ${result.why}`;
  } else {
    why = `${slo.traffic} holds ${slo.model}: no forbidden anomaly in ${tally}${allowedNote}`;
  }
  return { id: slo.id, kind: slo.kind, target: `0 anomalies forbidden by ${slo.model}`, unit: "anomalies", window: run.window, verdict: result.verdict, observed, why, consistency: evidence };
}

export async function checkConsistency(slo: ConsistencySloSpec, history: History, runDir: string | undefined): Promise<SloResult> {
  const run = resolveWindow({ kind: "run" }, history);
  const base = { id: slo.id, kind: slo.kind, target: `0 anomalies forbidden by ${slo.model}`, unit: "anomalies", window: run.window, observed: null };
  const found = await readClassHistory(slo.traffic, runDir);
  if ("missing" in found) return { ...base, verdict: "unknown", why: found.missing };
  const read = found.history;
  const result = checkListAppend(read.ops, { model: slo.model, budgetMs: slo.budget, inputProblems: read.problems });
  return consistencyResult(slo, history, result);
}

export const consistencyKind: SloKind<ConsistencySloSpec> = {
  kind: "consistency",
  schema: ConsistencySlo,
  validate(slo, view, report, path) {
    const wrong = workloadMismatch("consistency", "list-append", slo.traffic, view.trafficClass(slo.traffic));
    if (wrong !== undefined) report([...path, "traffic"], wrong);
  },
  judge: (slo, history, ctx) => checkConsistency(slo, history, ctx.runDir),
};
