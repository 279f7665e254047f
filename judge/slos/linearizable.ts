import { mkdir } from "node:fs/promises";
import { basename, join, relative } from "node:path";
import { z } from "zod";
import { boundedDuration } from "../../core/duration.ts";
import { formatCount } from "../../core/format.ts";
import type { History } from "../../core/history.ts";
import type { LinearizableEvidence, SloResult } from "../../core/verdict.ts";
import { checkLinearizable, defaultBudgetMs, defaultMemoryLimitMB, defaultTimeoutMsPerKey, type LinearizableResult } from "../checkers/linearizable.ts";
import { describeProblems } from "../checkers/result.ts";
import type { WorkloadOp } from "../checkers/workload-op.ts";
import type { SloKind } from "../slo-kind.ts";
import { sloBase } from "./slo-fields.ts";
import { resolveWindow } from "./window.ts";
import { historyFileOf, readClassHistory, workloadMismatch } from "./workload-history.ts";

/**
 * A register workload's history (a `workload: "register"` class) is linearizable: each key checked on its own by
 * Porcupine (porcupine-check, built at bootstrap). FAIL names the non-linearizable keys, the op each one's search
 * could not get past, the ops around it, and the visualization Porcupine drew (in the run directory, under
 * `linearizability-<traffic>/`). A key whose search outruns `timeoutPerKey`, the whole check past `budget`, a
 * search that outgrows `memoryLimitMB`, bad input or a missing history: unknown with the reason, never a crash.
 */
export const LinearizableSlo = z
  .object({
    kind: z.literal("linearizable"),
    ...sloBase,
    /** Bound on one key's search; a key past it is unknown. Default 10 s. */
    timeoutPerKey: boundedDuration({ minMs: 10, maxMs: 600_000 }).default(defaultTimeoutMsPerKey),
    /** Bound on the whole check; keys not reached in time are unknown. Default 60 s. */
    budget: boundedDuration({ minMs: 100, maxMs: 3_600_000 }).default(defaultBudgetMs),
    /** Memory the search may use, MB; a key that needs more is unknown (the check never runs the machine out of memory). Default 512. */
    memoryLimitMB: z.number().int().min(16).max(16_384).default(defaultMemoryLimitMB),
  })
  .strict();
export type LinearizableSloSpec = z.infer<typeof LinearizableSlo>;

/** Where a class's visualizations go, relative to the run directory. */
export const visualizationDirOf = (traffic: string) => `linearizability-${traffic}`;

/** How many ops a witness lists at most. */
const WITNESS_OPS = 12;

/**
 * The ops of the first illegal key that explain it: the op its search could not get past, every op on the key
 * whose interval overlaps it, and the last two ops of the longest linearizable prefix (what set the value seen).
 */
export function linearizableWitness(result: LinearizableResult, ops: readonly WorkloadOp[]): LinearizableEvidence["witness"] {
  const bad = result.keys.find((k) => k.result === "illegal");
  if (bad?.unlinearizableOp === undefined) return [];
  const byIndex = new Map(ops.map((op) => [op.index, op]));
  const stuck = byIndex.get(bad.unlinearizableOp);
  if (stuck === undefined) return [];
  const keyOf = (op: WorkloadOp) => String((op.value as { key?: unknown } | null)?.key);
  const end = (op: WorkloadOp) => op.completeMs ?? Number.POSITIVE_INFINITY;
  const chosen = new Set<number>([stuck.index, ...(bad.linearizablePrefix ?? []).slice(-2)]);
  for (const op of ops) if (keyOf(op) === bad.key && op.invokeMs <= end(stuck) && end(op) >= stuck.invokeMs) chosen.add(op.index);
  return [...chosen]
    .map((i) => byIndex.get(i))
    .filter((op): op is WorkloadOp => op !== undefined)
    .sort((a, b) => a.invokeMs - b.invokeMs || a.index - b.index)
    .slice(0, WITNESS_OPS)
    .map((op) => ({ index: op.index, process: op.process, f: op.f, type: op.type, invokeMs: op.invokeMs, completeMs: op.completeMs, value: op.value }));
}

/** The SLO's row from a checker's result (pure: unit tests feed results through it). */
export function linearizableResult(slo: LinearizableSloSpec, history: History, result: LinearizableResult, ops: readonly WorkloadOp[], runDir: string | undefined): SloResult {
  const run = resolveWindow({ kind: "run" }, history);
  const illegal = result.keys.filter((k) => k.result === "illegal");
  const opsChecked = result.keys.reduce((n, k) => n + k.ops, 0);
  const evidence: LinearizableEvidence = {
    historyFile: historyFileOf(slo.traffic),
    opsChecked,
    elapsedMs: Math.round(result.elapsedMs),
    maxMsPerKey: result.maxMsPerKey,
    keys: result.keys.map((k) => ({
      key: k.key,
      result: k.result,
      ops: k.ops,
      elapsedMs: k.elapsedMs,
      visualization: k.visualization === null ? null : runDir === undefined ? k.visualization : relative(runDir, k.visualization),
      ...(k.unlinearizableOp !== undefined ? { unlinearizableOp: k.unlinearizableOp } : {}),
      ...(k.reason !== undefined ? { reason: k.reason } : {}),
    })),
    witness: linearizableWitness(result, ops),
    problems: result.problems.slice(0, 20),
  };
  const observed = result.verdict === "unknown" && illegal.length === 0 ? null : illegal.length;
  // The checker names the drawing by file name; the reader needs it from the run directory.
  const first = illegal[0];
  const said = first?.visualization != null && runDir !== undefined ? result.why.replace(`see ${basename(first.visualization)}`, `see ${relative(runDir, first.visualization)}`) : result.why;
  const tally = `${formatCount(result.keys.length)} keys, ${formatCount(opsChecked)} ops, checked in ${formatCount(Math.round(result.elapsedMs))} ms`;
  const why =
    result.verdict === "fail"
      ? `${slo.traffic}: ${illegal.length} of ${result.keys.length} keys not linearizable; ${said} (${tally})`
      : result.verdict === "unknown"
        ? `${slo.traffic} linearizability cannot be judged: ${result.why}`
        : `${slo.traffic}: ${result.why}`;
  return { id: slo.id, kind: slo.kind, target: "0 non-linearizable keys", unit: "keys", window: run.window, verdict: result.verdict, observed, why, linearizable: evidence };
}

export async function checkLinearizableSlo(slo: LinearizableSloSpec, history: History, ctx: { runDir?: string; toolPath?(name: string): string }): Promise<SloResult> {
  const run = resolveWindow({ kind: "run" }, history);
  const base = { id: slo.id, kind: slo.kind, target: "0 non-linearizable keys", unit: "keys", window: run.window, observed: null };
  const found = await readClassHistory(slo.traffic, ctx.runDir);
  if ("missing" in found) return { ...base, verdict: "unknown", why: found.missing };
  const { ops, problems } = found.history;
  // A history with holes cannot prove anything linearizable: the file's problems make it unknown before the search.
  if (problems.length > 0) return { ...base, verdict: "unknown", why: `${slo.traffic} linearizability cannot be judged: ${describeProblems(problems)}` };
  if (ctx.toolPath === undefined) return { ...base, verdict: "unknown", why: "porcupine-check is not available here (no tool directory): linearizability not checked" };
  const visualizationDir = join(ctx.runDir!, visualizationDirOf(slo.traffic));
  await mkdir(visualizationDir, { recursive: true });
  const result = await checkLinearizable(ops, { binaryPath: ctx.toolPath("porcupine-check"), timeoutMsPerKey: slo.timeoutPerKey, budgetMs: slo.budget, memoryLimitMB: slo.memoryLimitMB, visualizationDir });
  return linearizableResult(slo, history, result, ops, ctx.runDir);
}

export const linearizableKind: SloKind<LinearizableSloSpec> = {
  kind: "linearizable",
  schema: LinearizableSlo,
  validate(slo, view, report, path) {
    const wrong = workloadMismatch("linearizable", "register", slo.traffic, view.trafficClass(slo.traffic));
    if (wrong !== undefined) report([...path, "traffic"], wrong);
  },
  judge: (slo, history, ctx) => checkLinearizableSlo(slo, history, ctx),
};
