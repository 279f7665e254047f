import { escapeMarkdownCell } from "../../reports/reporters/escape.ts";
import { formatWallTime } from "./budget.ts";
import type { ScenarioFlakiness } from "./flakiness.ts";
import { FIGURES, countedVerdict, exitExplanation, formatFigure, needsReplay, regressionText, runLabel, shardsText, suiteHeadline } from "./suite-format.ts";
import type { SuiteRecord } from "./suite-record.ts";

/**
 * summary.md: the suite for a CI step summary ($GITHUB_STEP_SUMMARY) or any Markdown viewer. Plain tables, no HTML.
 * Loud things first (a control that passed), replay commands for what did not pass, flakiness when repeated.
 */

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdownCell).join(" | ")} |`;
  return [line(header), `|${header.map(() => " --- ").join("|")}|`, ...rows.map(line)].join("\n");
}

/** The runs table, also what the closing note of a suite run quotes. */
export function runsTable(suite: SuiteRecord): string {
  return table(
    ["scenario", "expect", "counted", "seed", "wall time", ...FIGURES.map((f) => f.label), "vs last pass"],
    suite.runs.map((r) => [
      runLabel(r, suite),
      r.expect,
      `**${countedVerdict(r)}**`,
      r.seed === null ? "-" : String(r.seed),
      formatWallTime(r.durationMs),
      ...FIGURES.map((f) => formatFigure(r.figures[f.key], f.unit)),
      regressionText(r),
    ]),
  );
}

export function flakinessTable(flakiness: readonly ScenarioFlakiness[]): string {
  return table(
    ["scenario", "SLO", "pass rate", "verdicts", "flaky"],
    flakiness.flatMap((s) =>
      s.slos.map((slo) => [
        s.scenario,
        slo.expectedToFail ? `${slo.id} (control: expected to fail)` : slo.id,
        slo.passRatePercent === null ? "n/a" : `${slo.passRatePercent}% (${slo.pass}/${slo.pass + slo.fail})`,
        slo.verdicts.map((v) => v.toUpperCase()).join(" "),
        slo.flaky ? (slo.flakyAtSameSeed ? "**FLAKY** (same seed)" : "**FLAKY**") : "no",
      ]),
    ),
  );
}

export function renderSuiteSummary(suite: SuiteRecord, flakiness: readonly ScenarioFlakiness[]): string {
  const out: string[] = [];
  out.push(`# Havoc suite \`${suite.name}\`: **${suite.verdict.toUpperCase()}** (exit ${suite.exitCode})`, "");
  out.push(`${suiteHeadline(suite)} · suite \`${suite.suiteId}\``, "");
  out.push(`Exit ${suite.exitCode}: ${exitExplanation(suite)}.`, "");
  if (suite.sharding) out.push(`Sharded: ${shardsText(suite)}.`, "");
  const loud = suite.runs.filter((r) => r.loud);
  if (loud.length > 0) {
    out.push("## CONTROLS THAT PASSED", "");
    out.push(...loud.map((r) => `- **${runLabel(r, suite)}**: ${r.note}`), "");
  }
  out.push("## Runs", "");
  out.push(suite.runs.length === 0 ? "No run was started." : runsTable(suite), "");
  const notes = suite.runs.filter((r) => r.note && !r.loud);
  if (notes.length > 0) out.push(...notes.map((r) => `- ${runLabel(r, suite)}: ${r.note}`), "");
  const replay = suite.runs.filter(needsReplay);
  if (replay.length > 0) {
    out.push("## Replay what did not pass", "");
    out.push("```sh", ...replay.map((r) => `${r.replay}   # ${runLabel(r, suite)}: ${countedVerdict(r)}`), "```", "");
  }
  if (suite.repeat > 1) {
    const flaky = flakiness.flatMap((s) => s.slos.filter((slo) => slo.flaky).map((slo) => `${s.scenario} ${slo.id}`));
    out.push(`## Flakiness over ${suite.repeat} runs per scenario`, "");
    out.push(flaky.length === 0 ? "No SLO changed its verdict between runs." : `Flaky: ${flaky.join(", ")}.`, "");
    out.push(flakinessTable(flakiness), "");
  }
  if (suite.notRun.length > 0) {
    out.push("## Not run", "");
    out.push(table(["scenario", "reason", "why"], suite.notRun.map((n) => [suite.repeat > 1 ? `${n.scenario} #${n.repeat}` : n.scenario, n.reason, n.why])), "");
  }
  out.push("Per-run reports, trends and history: `index.html` in the suite directory.", "");
  return out.join("\n");
}
