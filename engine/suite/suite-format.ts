import { formatCount, formatObserved } from "../../core/format.ts";
import { formatWallTime } from "./budget.ts";
import type { KeyFigures, ScenarioRunRecord, SuiteRecord } from "./suite-record.ts";

/** Wording shared by the suite's console table, summary.md and index.html, so each says the same thing. */

/** The key figures in the order every table and chart shows them. */
export const FIGURES: readonly { key: keyof KeyFigures; label: string; unit: string }[] = [
  { key: "failoverMs", label: "failover", unit: "ms" },
  { key: "recoveryMs", label: "recovery", unit: "ms" },
  { key: "longestOutageMs", label: "longest outage", unit: "ms" },
  { key: "lostWrites", label: "lost writes", unit: "writes" },
  { key: "p99Ms", label: "p99", unit: "ms" },
  { key: "availabilityPercent", label: "availability", unit: "%" },
];

export function formatFigure(value: number | null, unit: string): string {
  if (value === null) return "-";
  if (unit === "writes") return formatCount(value);
  return formatObserved(value, unit);
}

/** "PASS", or "PASS (run FAIL)" when a control's expectation turned it around. */
export function countedVerdict(run: Pick<ScenarioRunRecord, "verdict" | "suiteVerdict">): string {
  return run.verdict === run.suiteVerdict ? run.suiteVerdict.toUpperCase() : `${run.suiteVerdict.toUpperCase()} (run ${run.verdict.toUpperCase()})`;
}

/** The date part people scan for: "2025-01-01 10:00Z". */
export function shortTime(iso: string): string {
  return iso.replace("T", " ").replace(/:\d\d(\.\d+)?Z$/, "Z");
}

/** The "vs last pass" cell in two parts: the headline, and the regressed rows (none unless it regressed). */
export function regressionParts(run: ScenarioRunRecord): { headline: string; findings: string[] } {
  const r = run.regression;
  if (r === null) return { headline: run.status !== "completed" || run.runId === "-" ? `not compared (run ${run.status})` : "no earlier passing run", findings: [] };
  const against = `${r.against.source === "baseline" ? "baseline " : ""}${r.against.runId} (${shortTime(r.against.startedAt)})`;
  if (!r.regressed) return { headline: `no regression vs ${against}`, findings: [] };
  return { headline: `REGRESSION${r.gating ? " (gate)" : ""} vs ${against}`, findings: r.findings };
}

/** The "vs last pass" cell: is this new, or has it always been so? */
export function regressionText(run: ScenarioRunRecord): string {
  const { headline, findings } = regressionParts(run);
  return findings.length === 0 ? headline : `${headline}: ${findings.join("; ")}`;
}

/** A run worth replaying: it did not count as passed, or it regressed under --baseline. An aborted run is not: a signal stopped it. */
export function needsReplay(run: ScenarioRunRecord): boolean {
  if (run.status === "aborted") return false;
  return run.suiteVerdict !== "pass" || (run.regression?.gating === true && run.regression.regressed);
}

export function runLabel(run: Pick<ScenarioRunRecord, "scenario" | "repeat">, suite: Pick<SuiteRecord, "repeat">): string {
  return suite.repeat > 1 ? `${run.scenario} #${run.repeat}` : run.scenario;
}

/** "12m30s", or for a suite merged from shards "12m30s (longest of 3 shards; 31m10s in all)". */
export function wallTimeText(suite: Pick<SuiteRecord, "durationMs" | "sharding">): string {
  const wall = formatWallTime(suite.durationMs);
  if (!suite.sharding) return wall;
  return `${wall} (longest of ${suite.sharding.total} shards; ${formatWallTime(suite.sharding.sumMs)} in all)`;
}

/** "shard 1/3 10m02s completed (9 runs), shard 2/3 missing": one line for a merged suite; "" for any other. */
export function shardsText(suite: Pick<SuiteRecord, "sharding">): string {
  const sharding = suite.sharding;
  if (!sharding) return "";
  const parts = Array.from({ length: sharding.total }, (_, i) => {
    const shard = sharding.shards.find((s) => s.index === i + 1);
    if (!shard) return `shard ${i + 1}/${sharding.total} missing`;
    const notRun = shard.notRun > 0 ? `, ${shard.notRun} not run` : "";
    return `shard ${shard.index}/${sharding.total} ${formatWallTime(shard.durationMs)} ${shard.outcome} (${shard.runs} run(s)${notRun}, exit ${shard.exitCode})`;
  });
  return parts.join(", ");
}

export function suiteHeadline(suite: SuiteRecord): string {
  const counted = suite.runs.filter((r) => r.suiteVerdict === "pass").length;
  const parts = [
    `${suite.runs.length} run(s), ${counted} counted as passed`,
    `${suite.notRun.length} not run`,
    `${wallTimeText(suite)}${suite.budgetMs === null ? "" : ` of a ${formatWallTime(suite.budgetMs)} budget`}`,
    `outcome ${suite.outcome}`,
    `seeds: ${suite.seeds}`,
  ];
  if (suite.gitCommit) parts.push(`commit ${suite.gitCommit.slice(0, 12)}`);
  if (suite.baseline) parts.push(`baseline ${suite.baseline}`);
  return parts.join(" · ");
}

/** Why the exit code is what it is, one line (the contract in README "Suites"). */
export function exitExplanation(suite: SuiteRecord): string {
  switch (suite.exitCode) {
    case 0:
      return "every run counted as passed";
    case 1:
      return "a run failed (a control that passed counts as a failure), or a --baseline regression";
    case 3:
      return suite.outcome === "incomplete" ? "a shard delivered no results (its runs are listed as not run), or a run ended in an environment error" : "a run ended in a harness or environment error";
    case 4:
      return "a run was inconclusive";
    case 5:
      return "over budget: runs were left unrun";
    case 130:
    case 143:
      return "interrupted by a signal";
    default:
      return "";
  }
}
