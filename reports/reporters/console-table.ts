import { describeHarnessCost } from "../../core/harness-cost.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { formatCount, formatObserved } from "../../core/format.ts";
import { voidLine } from "./summary-markdown.ts";

/** Long windows/whys would wrap the terminal; the full text is in report.json and summary.md. */
const MAX_CELL_CHARS = 60;

function cell(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length <= MAX_CELL_CHARS ? flat : `${flat.slice(0, MAX_CELL_CHARS - 3)}...`;
}

function nullableCount(n: number | null): string {
  return n === null ? "n/a" : formatCount(n);
}

/** Data loss in one line, e.g. "acknowledged 1,200, lost 0, unknown 3, recovered 2". */
export function dataLossLine(report: RunReport): string {
  const d = report.dataLoss;
  const failedStored = d.failedStored ? `, failed but stored ${formatCount(d.failedStored)}` : "";
  return `acknowledged ${formatCount(d.acknowledged)}, lost ${nullableCount(d.lost)}, unknown ${formatCount(d.unknown)}, recovered ${nullableCount(d.recovered)}${failedStored}`;
}

/**
 * Fixed-width SLO table for the terminal, then the data-loss line and, last, the verdict line
 * "verdict: FAIL (exit 1)" (last so it is what a CI log tail shows).
 */
export function renderConsoleTable(report: RunReport): string {
  const header = ["SLO", "verdict", "observed", "target", "window"];
  const rows = report.slos.map((s) => [s.id, s.void ? "VOID" : s.verdict.toUpperCase(), formatObserved(s.observed, s.unit), s.target, s.window?.label ?? "n/a"].map(cell));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join("  ").trimEnd();
  const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
  if (report.slos.length === 0) out.push("(no SLOs judged)");
  if (report.void) out.push(`VOID: ${voidLine(report.void)}`);
  if (report.status !== "completed") out.push(`run ${report.status}${report.reason === null ? "" : `: ${report.reason}`}`);
  else if (report.reason !== null) out.push(`note: ${report.reason}`);
  out.push(dataLossLine(report));
  if (report.harnessCost) out.push(report.harnessCost.warning ? `WARNING: ${report.harnessCost.warning}` : describeHarnessCost(report.harnessCost));
  out.push(`verdict: ${report.verdict.toUpperCase()} (exit ${report.exitCode})`);
  return out.join("\n") + "\n";
}
