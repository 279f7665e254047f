import { performance } from "node:perf_hooks";
import type { Anomaly, ConsistencyModel, ConsistencyResult, Problem } from "../result.ts";
import { describeProblems } from "../result.ts";
import type { WorkloadOp } from "../workload-op.ts";
import { isForbidden, usesRealtime } from "./anomaly-names.ts";
import { Budget, BudgetExhausted } from "./budget.ts";
import { CycleSearch, PLAIN, PROCESS_FAMILY, REALTIME_FAMILY } from "./cycle-search.ts";
import { addDependencyEdges } from "./dependencies.ts";
import { cycleWitness } from "./explain.ts";
import { FoundSet } from "./found.ts";
import { DATA, EdgeList, GraphTooLarge, PROCESS, REALTIME, toGraph } from "./graph.ts";
import { findNonCycleAnomalies } from "./non-cycle.ts";
import { addProcessEdges, addRealtimeEdges } from "./realtime.ts";
import { readTxns } from "./txns.ts";
import { inferVersions } from "./versions.ts";

export interface ListAppendOptions {
  model: ConsistencyModel;
  /** Wall-clock budget for the whole check; past it the search stops (default 10 s). */
  budgetMs?: number;
  /** Problems found while reading the history file: any makes the verdict unknown. */
  inputProblems?: readonly Problem[];
}

export const DEFAULT_BUDGET_MS = 10_000;

/**
 * Checks a list-append history the way Jepsen's Elle does (elle.list-append/check): infers each key's version order
 * from the reads, builds the ww/wr/rw dependency graph of the ok transactions (plus process and realtime order for
 * the strong and strict models), finds cycles by class, and the anomalies that need no cycle (G1a, G1b, internal,
 * lost update, ...). Every anomaly found is reported with `allowed` saying whether the model permits it.
 *
 * Counts: a cycle class counts the strongly connected components of the graph in which it was found (counting
 * every cycle is exponential); the others count cases as non-cycle.ts says.
 *
 * Verdict: "unknown" on any bad input (with the first problems in `why`), or when the budget or the graph's size
 * limit stopped the search before it could rule out every forbidden anomaly; "fail" as soon as a forbidden anomaly
 * was found (even if the search then stopped); else "pass".
 */
export function checkListAppend(ops: readonly WorkloadOp[], options: ListAppendOptions): ConsistencyResult {
  const startMs = performance.now();
  const model = options.model;
  const budget = new Budget(startMs, options.budgetMs ?? DEFAULT_BUDGET_MS);
  const txns = readTxns(ops);
  const base = { model, opsChecked: txns.ops.length };
  const inputProblems = [...(options.inputProblems ?? []), ...txns.problems];
  if (inputProblems.length > 0) return unknownForInput(base, inputProblems, budget);
  const versions = inferVersions(txns);
  if (versions.problems.length > 0) return unknownForInput(base, versions.problems, budget);

  const found = new FoundSet();
  for (const f of versions.found) found.add(f);
  for (const f of findNonCycleAnomalies(txns, versions)) found.add(f);

  let stopped: string | null = null;
  let allowedSearchStopped = false;
  try {
    const edges = new EdgeList();
    addDependencyEdges(txns, versions, edges);
    const strong = usesRealtime(model);
    if (strong) {
      addProcessEdges(txns, edges);
      addRealtimeEdges(txns, edges);
    }
    budget.check();
    const g = toGraph(txns.opOfNode.length, edges);
    const search = new CycleSearch(g, budget, strong ? [PLAIN, PROCESS_FAMILY, REALTIME_FAMILY] : [PLAIN]);
    const components = search.components(strong ? DATA | PROCESS | REALTIME : DATA);
    const skips = components.map(() => new Set<string>());
    const report = (cycle: { name: string; edges: number[] }) => found.add({ name: cycle.name, count: 1, witness: cycleWitness(cycle, g, txns, versions) });
    // Forbidden classes in every component first, so a budget spent on allowed ones never costs the verdict.
    let current = "";
    try {
      for (let c = 0; c < components.length; c++) {
        current = `a cycle in a component of ${components[c]!.length} transactions`;
        search.searchComponent(components[c]!, (name) => isForbidden(model, name), skips[c]!, report);
      }
    } catch (error) {
      if (!(error instanceof BudgetExhausted)) throw error;
      stopped = `the ${budget.budgetMs} ms budget ran out while looking for ${current}`;
    }
    if (stopped === null) {
      try {
        for (let c = 0; c < components.length; c++) search.searchComponent(components[c]!, (name) => !isForbidden(model, name), skips[c]!, report);
      } catch (error) {
        if (!(error instanceof BudgetExhausted)) throw error;
        allowedSearchStopped = true;
      }
    }
  } catch (error) {
    if (error instanceof GraphTooLarge) stopped = error.message;
    else if (error instanceof BudgetExhausted) stopped = `the ${budget.budgetMs} ms budget ran out while building the dependency graph`;
    else throw error;
  }

  const anomalies: Anomaly[] = found
    .all()
    .map((f) => ({ name: f.name, count: f.count, allowed: !isForbidden(model, f.name), witness: f.witness }))
    .sort((a, b) => Number(a.allowed) - Number(b.allowed) || a.name.localeCompare(b.name));
  const forbidden = anomalies.filter((a) => !a.allowed);
  const list = (as: Anomaly[]) => {
    const items = as.map((a) => `${a.name} (${a.count})`);
    return items.length === 1 ? items[0]! : `${items.slice(0, -1).join(", ")} and ${items.at(-1)!}`;
  };
  let verdict: ConsistencyResult["verdict"];
  let why: string;
  if (forbidden.length > 0) {
    verdict = "fail";
    why = `${list(forbidden)} not allowed under ${model}${stopped !== null ? `; the search then stopped: ${stopped}` : ""}`;
  } else if (stopped !== null) {
    verdict = "unknown";
    why = `no anomaly forbidden under ${model} found, but ${stopped}`;
  } else if (txns.opOfNode.length === 0) {
    // Elle's empty-transaction-graph: nothing committed, so nothing was shown to be isolated.
    verdict = "unknown";
    why = `no committed transaction among ${txns.ops.length} ops: nothing to check`;
  } else {
    verdict = "pass";
    const allowed = anomalies.length > 0 ? `; allowed under it: ${list(anomalies)}` : "";
    const cut = allowedSearchStopped ? " (the search for allowed anomalies stopped at the budget)" : "";
    why = `${txns.opOfNode.length} committed transactions of ${txns.ops.length} ops show no anomaly forbidden under ${model}${allowed}${cut}`;
  }
  return { verdict, ...base, why, anomalies, problems: [], elapsedMs: budget.elapsedMs() };
}

function unknownForInput(base: { model: ConsistencyModel; opsChecked: number }, problems: Problem[], budget: Budget): ConsistencyResult {
  return { verdict: "unknown", ...base, why: describeProblems(problems), anomalies: [], problems, elapsedMs: budget.elapsedMs() };
}
