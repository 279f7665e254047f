import type { z } from "zod";
import type { History } from "../core/history.ts";
import type { Report, ScenarioView } from "../core/scenario-view.ts";
import type { SloResult } from "../core/verdict.ts";

/** What a judge may need besides the history: where the run's files are (workload histories) and havoc's tools. */
export interface JudgeContext {
  /** The run directory, when judging a run (a re-judged saved run has one too); undefined for a bare history. */
  runDir?: string;
  /** Path of a tool havoc builds at bootstrap (e.g. "porcupine-check"). */
  toolPath?(name: string): string;
  /** A bank workload class's accounts and the total they open with (the bank SLO's expectation); undefined otherwise. */
  bankOf?(traffic: string): { accounts: number[]; initialTotal: number } | undefined;
}

/**
 * One kind of SLO (`kind` in a scenario): its fields, what it needs of the rest of the scenario, and its judge.
 * Every kind is one file of judge/slos/ exporting one of these, listed once in judge/slo-kinds.ts. A judge reads the
 * history alone (so a saved run can be judged again) and returns a verdict with its reason; a judge that throws is
 * an error row, never a pass.
 */
export interface SloKind<S extends { kind: string; id: string; traffic: string } = { kind: string; id: string; traffic: string }> {
  kind: S["kind"];
  /** The SLO's fields (a zod object with `kind` as a literal); units and defaults in its JSDoc. */
  schema: z.ZodType<S, unknown>;
  /** What the kind needs of its scenario beyond its schema (a readback, a known fault, a class that checks reads). */
  validate?(slo: S, view: ScenarioView, report: Report, path: (string | number)[]): void;
  judge(slo: S, history: History, ctx: JudgeContext): SloResult | Promise<SloResult>;
}
