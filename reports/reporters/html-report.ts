import type { FileReporter } from "./reporter.ts";
import { formatSeconds } from "../../core/duration.ts";
import type { History } from "../../core/history.ts";
import { formatCount, formatLatencyMs, formatObserved, formatPercent } from "../../core/format.ts";
import type { DataLossCounts, RunReport } from "../../judge/report-schema.ts";
import { escapeXml as esc } from "./escape.ts";
import { renderTimelineSvg } from "./timeline-svg.ts";
import { renderLeaderSvg, renderSeriesSvg } from "./probes-svg.ts";
import { voidLine } from "./summary-markdown.ts";

/**
 * report.html: one self-contained file (inline CSS and SVG, no script, no external URL; the CSP meta tag
 * makes a browser refuse anything external should one slip in), readable offline and as a CI artifact.
 * The timelines need the History; rendered from report.json alone, the page says so instead.
 */

/**
 * A self-contained page's head: no script, no fetch (the CSP allows inline style only), so a report opened from a
 * CI artifact shows everything and calls nowhere. `title` is text, escaped here.
 */
export function htmlHead(title: string, style: string): string[] {
  return [
    `<!DOCTYPE html>`,
    `<html lang="en">`,
    `<head>`,
    `<meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${esc(title)}</title>`,
    `<style>${style}</style>`,
    `</head>`,
  ];
}

/** The page style, shared with the suite's index.html so both read alike. */
export const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem; color: #222; max-width: 1100px; }
h1 { margin-bottom: 0.2rem; }
.verdict { display: inline-block; padding: 0.2rem 0.7rem; border-radius: 4px; font-weight: bold; color: #fff; }
.verdict-pass { background: #2e7d32; } .verdict-fail { background: #c62828; }
.verdict-unknown { background: #757575; } .verdict-error { background: #6a1b9a; }
dl.run-facts { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }
dl.run-facts dt { font-weight: bold; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.6rem; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 0 0 1.5rem; } figcaption { font-weight: bold; margin-bottom: 0.3rem; }
svg.timeline { max-width: 100%; height: auto; border: 1px solid #ddd; }
`;

export function verdictBadge(verdict: string): string {
  return `<span class="verdict verdict-${esc(verdict)}">${esc(verdict.toUpperCase())}</span>`;
}

function table(className: string, header: readonly string[], rows: readonly (readonly string[])[], numericFrom = Infinity): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>`;
  // Cells arrive already escaped (some hold markup such as a verdict badge).
  const body = rows.map((r) => `<tr>${r.map((c, i) => `<td${i >= numericFrom ? ' class="num"' : ""}>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table class="${esc(className)}">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

function nullableCount(v: number | null): string {
  return v === null ? "n/a" : formatCount(v);
}

function dataLossCells(name: string, c: DataLossCounts): string[] {
  return [esc(name), formatCount(c.acknowledged), nullableCount(c.lost), formatCount(c.unknown), nullableCount(c.recovered), nullableCount(c.failedStored), nullableCount(c.unexpected), nullableCount(c.stored)];
}

function header(report: RunReport): string {
  const facts: [string, string][] = [
    ["status", report.status],
    ["exit code", String(report.exitCode)],
    ["seed", String(report.seed)],
    ["run id", report.runId],
    ["started", report.startedAt],
    ["duration", formatSeconds(report.durationMs)],
  ];
  if (report.reason !== null) facts.push(["reason", report.reason]);
  if (report.void) facts.push(["VOID", voidLine(report.void)]);
  return [
    `<header class="run-header">`,
    `<h1>${esc(report.scenario)} ${verdictBadge(report.verdict)}</h1>`,
    report.description ? `<p class="description">${esc(report.description)}</p>` : "",
    `<dl class="run-facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl>`,
    `</header>`,
  ].join("\n");
}

function timelines(report: RunReport, history: History | undefined): string {
  if (!history) return `<section id="timelines"><h2>Timeline</h2><p>No history was given, so no timeline is drawn (re-render with history.json).</p></section>`;
  const classes = Object.keys(report.traffic);
  const figures = classes.map((traffic) => {
    const svg = renderTimelineSvg({ traffic, buckets: history.timeline, faults: report.faults, containerEvents: history.containerEvents, trafficEndMs: history.trafficEndMs, leaderChanges: history.probes?.leaderChanges ?? [] });
    return `<figure><figcaption>${esc(traffic)}</figcaption>\n${svg}\n</figure>`;
  });
  figures.push(...systemFigures(history));
  const setupEvents = history.containerEvents.filter((e) => e.atMs < 0).length;
  const note = setupEvents > 0 ? `<p>${setupEvents} container events happened before traffic started (setup) and are not drawn.</p>` : "";
  return `<section id="timelines"><h2>Timeline</h2>\n${figures.join("\n")}\n${note}</section>`;
}

/** The system's own signals (topology probes) under the traffic, on the same time axis. */
function systemFigures(history: History): string[] {
  const probes = history.probes;
  if (!probes) return [];
  const figures: string[] = [];
  for (const probe of new Set(probes.leaderChanges.map((c) => c.probe)))
    figures.push(`<figure class="system"><figcaption>system: ${esc(probe)}</figcaption>\n${renderLeaderSvg(probe, probes.leaderChanges.filter((c) => c.probe === probe), history.trafficEndMs)}\n</figure>`);
  for (const probe of new Set(probes.series.map((s) => s.probe)))
    figures.push(`<figure class="system"><figcaption>system: ${esc(probe)}</figcaption>\n${renderSeriesSvg(probe, probes.series.filter((s) => s.probe === probe), history.trafficEndMs)}\n</figure>`);
  return figures;
}

export function renderHtmlReport(report: RunReport, history?: History): string {
  const slos = table(
    "slos",
    ["SLO", "verdict", "observed", "target", "window", "why"],
    report.slos.map((s) => [esc(s.id), s.void ? `${verdictBadge(s.verdict)} <strong>VOID</strong>` : verdictBadge(s.verdict), esc(formatObserved(s.observed, s.unit)), esc(s.target), esc(s.window?.label ?? "n/a"), esc(s.why)]),
  );
  const dataLoss = table(
    "data-loss",
    ["traffic", "acknowledged", "lost", "unknown", "recovered", "failed but stored", "unexpected", "stored"],
    [...Object.entries(report.dataLoss.byTraffic).map(([name, c]) => dataLossCells(name, c)), dataLossCells("total", report.dataLoss)],
    1,
  );
  const lostIds = report.dataLoss.lostSample.length > 0 ? `<p>Lost ids (first ${report.dataLoss.lostSample.length}): <code>${esc(report.dataLoss.lostSample.join(", "))}</code></p>` : "";
  const traffic = table(
    "traffic",
    ["traffic", "requests", "ok", "fail", "unknown", "availability", "p50", "p95", "p99", "dropped iterations"],
    Object.entries(report.traffic).map(([name, t]) => [
      esc(name),
      formatCount(t.requests),
      formatCount(t.ok),
      formatCount(t.fail),
      formatCount(t.unknown),
      t.availabilityPercent === null ? "n/a" : formatPercent(t.availabilityPercent),
      esc(t.latencyMs === null ? "n/a" : formatLatencyMs(t.latencyMs.p50)),
      esc(t.latencyMs === null ? "n/a" : formatLatencyMs(t.latencyMs.p95)),
      esc(t.latencyMs === null ? "n/a" : formatLatencyMs(t.latencyMs.p99)),
      formatCount(t.droppedIterations),
    ]),
    1,
  );
  const faults = table(
    "faults",
    ["id", "kind", "targets", "injected", "healed", "mechanism", "notes"],
    report.faults.map((f) => [
      esc(f.id),
      esc(f.kind),
      esc(f.targets.join(", ")),
      esc(formatSeconds(f.injectedAt)),
      esc(f.healedAt === null ? "never" : formatSeconds(f.healedAt)),
      esc(f.mechanism),
      esc(f.notes.join("; ")),
    ]),
  );
  const plan = table(
    "plan",
    ["id", "kind", "targets", "at", "heal at"],
    report.plan.faults.map((f) => [esc(f.id), esc(f.kind), esc(f.targets.join(", ")), esc(formatSeconds(f.atMs)), esc(f.healAtMs === null ? "end of traffic" : formatSeconds(f.healAtMs))]),
  );
  return [
    ...htmlHead(`Havoc ${report.scenario}: ${report.verdict.toUpperCase()}`, STYLE),
    `<body>`,
    header(report),
    timelines(report, history),
    `<section id="slos"><h2>SLOs</h2>\n${report.slos.length === 0 ? "<p>No SLOs were judged.</p>" : slos}</section>`,
    consistencySection(report),
    linearizableSection(report),
    bankSection(report),
    `<section id="data-loss"><h2>Data loss</h2>\n${dataLoss}\n${lostIds}</section>`,
    `<section id="traffic"><h2>Traffic</h2>\n${traffic}</section>`,
    `<section id="faults"><h2>Faults</h2>\n${report.faults.length === 0 ? "<p>No faults were injected.</p>" : faults}\n<p>${formatCount(report.containerEvents)} container events recorded.</p></section>`,
    `<section id="plan"><h2>Plan (seed ${esc(String(report.plan.seed))})</h2>\n${report.plan.faults.length === 0 ? "<p>No faults planned.</p>" : plan}</section>`,
    `<section id="artifacts"><h2>Files</h2><ul>${report.artifacts.map((a) => `<li>${esc(a)}</li>`).join("")}</ul></section>`,
    `</body>`,
    `</html>`,
    ``,
  ].join("\n");
}

/** For each consistency SLO: its anomalies with counts, and each one's smallest witness (transactions, cycle edges). */
function consistencySection(report: RunReport): string {
  const rows = report.slos.filter((s) => s.consistency && s.consistency.anomalies.length > 0);
  if (rows.length === 0) return "";
  const parts = rows.map((s) => {
    const c = s.consistency!;
    const anomalies = c.anomalies.map((a) => {
      const txns = table(
        "witness",
        ["T", "process", "type", "invoke ms", "complete ms", "micro-ops"],
        a.witness.txns.map((t) => [esc(`T${t.index}`), esc(String(t.process)), esc(t.type), esc(String(t.invokeMs)), esc(t.completeMs === null ? "-" : String(t.completeMs)), `<code>${esc(JSON.stringify(t.value))}</code>`]),
      );
      const edges = a.witness.edges.length === 0 ? "" : `<ol>${a.witness.edges.map((e) => `<li>T${e.from} &rarr; T${e.to} (${esc(e.type)}): ${esc(e.why)}</li>`).join("")}</ol>`;
      return `<h4>${esc(a.name)} &times; ${esc(formatCount(a.count))}${a.allowed ? ` (allowed by ${esc(c.model)})` : ""}</h4>\n<p>${esc(a.witness.summary)}</p>\n${txns}\n${edges}`;
    });
    return `<h3>${esc(s.id)}: ${esc(c.model)}, ${esc(formatCount(c.opsChecked))} ops checked in ${esc(String(c.elapsedMs))} ms (${esc(c.historyFile)})</h3>\n${anomalies.join("\n")}`;
  });
  return `<section id="consistency"><h2>Consistency anomalies</h2>\n${parts.join("\n")}</section>`;
}

/** For each linearizable SLO with a key not linearizable or unknown: those keys, the witness ops, and the visualization file. */
function linearizableSection(report: RunReport): string {
  const rows = report.slos.filter((s) => s.linearizable && s.linearizable.keys.some((k) => k.result !== "ok"));
  if (rows.length === 0) return "";
  const parts = rows.map((s) => {
    const l = s.linearizable!;
    const keys = table(
      "keys",
      ["key", "result", "ops", "search ms", "stuck at op", "visualization / reason"],
      l.keys
        .filter((k) => k.result !== "ok")
        .map((k) => [esc(k.key), esc(k.result), esc(formatCount(k.ops)), esc(k.elapsedMs.toFixed(1)), esc(k.unlinearizableOp === undefined ? "-" : String(k.unlinearizableOp)), k.visualization === null ? esc(k.reason ?? "") : `<a href="${esc(k.visualization)}">${esc(k.visualization)}</a>`]),
    );
    const witness =
      l.witness.length === 0
        ? ""
        : `<p>Ops of the first key around where its search got stuck:</p>\n${table(
            "witness",
            ["op", "process", "f", "type", "invoke ms", "complete ms", "value"],
            l.witness.map((o) => [esc(String(o.index)), esc(String(o.process)), esc(o.f), esc(o.type), esc(String(o.invokeMs)), esc(o.completeMs === null ? "-" : String(o.completeMs)), `<code>${esc(JSON.stringify(o.value))}</code>`]),
          )}`;
    return `<h3>${esc(s.id)}: ${esc(formatCount(l.keys.length))} keys, ${esc(formatCount(l.opsChecked))} ops checked in ${esc(String(l.elapsedMs))} ms (${esc(l.historyFile)})</h3>\n${keys}\n${witness}`;
  });
  return `<section id="linearizable"><h2>Linearizability</h2>\n${parts.join("\n")}</section>`;
}

/** For each bank SLO with bad reads: the counts per fault and the first bad read's balances. */
function bankSection(report: RunReport): string {
  const rows = report.slos.filter((s) => s.bank && s.bank.badReads > 0);
  if (rows.length === 0) return "";
  const parts = rows.map((s) => {
    const b = s.bank!;
    const c = b.badReadCounts;
    const first = b.firstBad;
    const balances = first === null ? "" : table("first bad read", ["account", "balance"], Object.entries(first.balances).map(([account, balance]) => [esc(account), esc(String(balance))]));
    const firstLine = first === null ? "" : `<p>First bad read: op ${esc(String(first.index))} (line ${esc(String(first.line))}), total ${esc(String(first.total))}, expected ${esc(String(first.expected))}: ${esc(first.reasons.join("; "))}</p>`;
    return `<h3>${esc(s.id)}: ${esc(formatCount(b.badReads))} of ${esc(formatCount(b.readsChecked))} reads wrong (${esc(b.historyFile)})</h3>\n<p>wrong total ${esc(formatCount(c.wrongTotal))}, negative ${esc(formatCount(c.negative))}, missing account ${esc(formatCount(c.missingAccount))}, unknown account ${esc(formatCount(c.unexpectedAccount))}; ${esc(String(b.accounts))} accounts, opening total ${esc(String(b.initialTotal))}</p>\n${firstLine}\n${balances}`;
  });
  return `<section id="bank"><h2>Bank</h2>\n${parts.join("\n")}</section>`;
}

export const htmlReporter: FileReporter = { name: "html", file: "report.html", render: (report, history) => renderHtmlReport(report, history) };
