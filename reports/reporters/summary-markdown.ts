import type { FileReporter } from "./reporter.ts";
import { formatSeconds } from "../../core/duration.ts";
import { formatCount, formatLatencyMs, formatObserved, formatPercent } from "../../core/format.ts";
import type { DataLossCounts, RunReport } from "../../judge/report-schema.ts";
import { escapeMarkdownCell } from "./escape.ts";

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeMarkdownCell).join(" | ")} |`;
  return [line(header), `|${header.map(() => " --- ").join("|")}|`, ...rows.map(line)].join("\n");
}

function nullableCount(n: number | null): string {
  return n === null ? "n/a" : formatCount(n);
}

function dataLossRow(name: string, c: DataLossCounts): string[] {
  return [name, formatCount(c.acknowledged), nullableCount(c.lost), formatCount(c.unknown), nullableCount(c.recovered), nullableCount(c.failedStored), nullableCount(c.unexpected), nullableCount(c.stored)];
}

/** "the harness lost control from 30.2 s: the container engine stopped answering" */
export function voidLine(v: NonNullable<RunReport["void"]>): string {
  return `the harness lost control ${v.fromMs === null ? "before traffic started" : `from ${formatSeconds(v.fromMs)}`}: ${v.reason}; the record is not trustworthy from then on`;
}

/** Markdown for a GitHub step summary (or any Markdown viewer): plain tables, no HTML, no emoji. */
export function renderSummaryMarkdown(report: RunReport): string {
  const out: string[] = [];
  out.push(`# Havoc \`${report.scenario}\`: **${report.verdict.toUpperCase()}**`, "");
  out.push(`Exit ${report.exitCode} · status ${report.status} · seed ${report.seed} · run \`${report.runId}\` · ${formatSeconds(report.durationMs)}`, "");
  if (report.description) out.push(report.description, "");
  if (report.reason !== null) out.push(`**Reason:** ${report.reason.replace(/\r?\n/g, " ")}`, "");
  if (report.void) out.push(`**VOID experiment:** ${voidLine(report.void)}. Every SLO below is an error whatever it observed.`, "");

  out.push("## SLOs", "");
  out.push(
    report.slos.length === 0
      ? "No SLOs were judged."
      : table(
          ["SLO", "verdict", "observed", "target", "window", "why"],
          report.slos.map((s) => [s.id, `**${s.void ? "VOID" : s.verdict.toUpperCase()}**`, formatObserved(s.observed, s.unit), s.target, s.window?.label ?? "n/a", s.why]),
        ),
    "",
  );

  out.push("## Faults", "");
  out.push(
    report.faults.length === 0
      ? "No faults were injected."
      : table(
          ["id", "kind", "targets", "injected", "healed"],
          report.faults.map((f) => [f.id, f.kind, f.targets.join(", "), formatSeconds(f.injectedAt), f.healedAt === null ? "never" : formatSeconds(f.healedAt)]),
        ),
    "",
  );

  out.push("## Data loss", "");
  const classes = Object.entries(report.dataLoss.byTraffic);
  out.push(
    table(["traffic", "acknowledged", "lost", "unknown", "recovered", "failed but stored", "unexpected", "stored"], [
      ...classes.map(([name, c]) => dataLossRow(name, c)),
      dataLossRow("**total**", report.dataLoss),
    ]),
    "",
  );
  if (report.dataLoss.lostSample.length > 0) out.push(`Lost ids (first ${report.dataLoss.lostSample.length}): ${report.dataLoss.lostSample.map((id) => `\`${id.replace(/`/g, "")}\``).join(", ")}`, "");

  out.push("## Traffic", "");
  out.push(
    table(
      ["traffic", "requests", "availability", "p50", "p95", "p99", "dropped iterations"],
      Object.entries(report.traffic).map(([name, t]) => [
        name,
        formatCount(t.requests),
        t.availabilityPercent === null ? "n/a" : formatPercent(t.availabilityPercent),
        t.latencyMs === null ? "n/a" : formatLatencyMs(t.latencyMs.p50),
        t.latencyMs === null ? "n/a" : formatLatencyMs(t.latencyMs.p95),
        t.latencyMs === null ? "n/a" : formatLatencyMs(t.latencyMs.p99),
        formatCount(t.droppedIterations),
      ]),
    ),
    "",
  );
  return out.join("\n");
}

export const summaryReporter: FileReporter = { name: "summary", file: "summary.md", render: (report) => renderSummaryMarkdown(report) };
