import { posix } from "node:path";
import { escapeXml as esc } from "../../reports/reporters/escape.ts";
import { STYLE, htmlHead, verdictBadge } from "../../reports/reporters/html-report.ts";
import { formatWallTime } from "./budget.ts";
import type { ScenarioFlakiness } from "./flakiness.ts";
import { HISTORY_FILE } from "./history-file.ts";
import { FIGURES, countedVerdict, exitExplanation, formatFigure, needsReplay, regressionParts, regressionText, runLabel, shardsText, shortTime, wallTimeText } from "./suite-format.ts";
import type { ScenarioRunRecord, SuiteRecord } from "./suite-record.ts";
import { renderSparkline, renderVerdictStrip, type TrendPoint } from "./trend-svg.ts";

/**
 * index.html of a suite directory: one self-contained page (inline CSS and SVG, no script, the same CSP as
 * report.html) linking every run's report, with per scenario the verdicts of its last runs across nights and the
 * trend of its key figures, regressions against the last passing run marked.
 */

/** How many past runs of a scenario the strip and the charts show. */
export const TREND_RUNS = 20;

const EXTRA_STYLE = `
body { max-width: 1500px; }
.loud { border: 3px solid #c62828; background: #fdecea; padding: 0.5rem 1rem; margin: 1rem 0; }
.loud h2 { color: #c62828; margin-top: 0.3rem; }
.regression { color: #b35900; font-weight: bold; }
.trends { display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; align-items: flex-start; }
figure.trend { margin: 0; } figure.trend figcaption { font-weight: normal; font-size: 0.85rem; }
div.vs { min-width: 16rem; } div.note { min-width: 14rem; max-width: 24rem; } code.replay { word-break: break-all; }
`;

function table(className: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = `<tr>${header.map((h) => `<th>${esc(h)}</th>`).join("")}</tr>`;
  // Cells arrive escaped: some hold markup (badges, links).
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table class="${esc(className)}">\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A run's report.html as seen from this suite's directory (runs of other nights live in sibling suite dirs). */
function reportHref(current: SuiteRecord, owner: Pick<SuiteRecord, "suiteDir">, run: ScenarioRunRecord): string {
  if (!run.runDir) return "";
  const target = posix.join(owner.suiteDir, run.runDir, "report.html");
  return posix.relative(current.suiteDir, target) || "report.html";
}

function runsSection(suite: SuiteRecord): string {
  if (suite.runs.length === 0) return `<section id="runs"><h2>Runs</h2><p>No run was started.</p></section>`;
  const rows = suite.runs.map((r) => {
    const href = reportHref(suite, suite, r);
    const { headline, findings } = regressionParts(r);
    const regression = `<div class="vs">${findings.length === 0 ? esc(headline) : `<span class="regression">${esc(headline)}</span><br><small>${findings.map(esc).join("<br>")}</small>`}</div>`;
    return [
      href ? `<a href="${esc(href)}">${esc(runLabel(r, suite))}</a>` : esc(runLabel(r, suite)),
      esc(r.expect),
      `${verdictBadge(r.suiteVerdict)}${r.verdict !== r.suiteVerdict ? ` <small>run ${esc(r.verdict.toUpperCase())}</small>` : ""}`,
      esc(r.seed === null ? "-" : String(r.seed)),
      esc(formatWallTime(r.durationMs)),
      ...FIGURES.map((f) => esc(formatFigure(r.figures[f.key], f.unit))),
      regression,
      `<div class="note">${esc(r.note)}${needsReplay(r) ? `<br><code class="replay">${esc(r.replay)}</code>` : ""}</div>`,
    ];
  });
  return `<section id="runs"><h2>Runs</h2>\n${table("runs", ["scenario", "expect", "counted", "seed", "wall time", ...FIGURES.map((f) => f.label), "vs last pass", "note / replay"], rows)}</section>`;
}

function flakinessSection(suite: SuiteRecord, flakiness: readonly ScenarioFlakiness[]): string {
  if (suite.repeat <= 1) return "";
  const rows = flakiness.flatMap((s) =>
    s.slos.map((slo) => [
      esc(s.scenario),
      esc(slo.id) + (slo.expectedToFail ? " <small>(control: expected to fail)</small>" : ""),
      esc(slo.passRatePercent === null ? "n/a" : `${slo.passRatePercent}% (${slo.pass}/${slo.pass + slo.fail})`),
      slo.verdicts.map((v) => verdictBadge(v)).join(" "),
      slo.flaky ? `<span class="regression">FLAKY${slo.flakyAtSameSeed ? " (same seed)" : ""}</span>` : "no",
    ]),
  );
  return `<section id="flakiness"><h2>Flakiness over ${suite.repeat} runs per scenario</h2>\n<p>Every run of one suite uses the same code: an SLO that passes in one run and fails in another is flaky.</p>\n${table("flakiness", ["scenario", "SLO", "pass rate", "verdicts", "flaky"], rows)}</section>`;
}

function notRunSection(suite: SuiteRecord): string {
  if (suite.notRun.length === 0) return "";
  const rows = suite.notRun.map((n) => [esc(suite.repeat > 1 ? `${n.scenario} #${n.repeat}` : n.scenario), esc(n.reason), esc(n.why)]);
  return `<section id="not-run"><h2>Not run</h2>\n${table("not-run", ["scenario", "reason", "why"], rows)}</section>`;
}

/**
 * Per scenario of this suite, its last TREND_RUNS runs across every suite in the history (oldest first), this
 * suite's own runs last.
 */
function trendsSection(suite: SuiteRecord, past: readonly SuiteRecord[]): string {
  const scenarios = [...new Set(suite.runs.map((r) => r.scenario))];
  if (scenarios.length === 0) return "";
  const suites = [...past.filter((p) => p.suiteId !== suite.suiteId), suite];
  const blocks = scenarios.map((scenario) => {
    const points = suites.flatMap((s) =>
      s.runs
        .filter((r) => r.scenario === scenario)
        .map((r) => ({
          run: r,
          point: {
            verdict: r.suiteVerdict,
            title: `${shortTime(r.startedAt)} suite ${s.name} run ${r.runId}: ${countedVerdict(r)}${r.regression?.regressed ? ` REGRESSION: ${r.regression.findings.join("; ")}` : ""}`,
            current: s.suiteId === suite.suiteId,
            regressed: r.regression?.regressed === true,
            href: reportHref(suite, s, r),
          },
        })),
    ).slice(-TREND_RUNS);
    const strip = renderVerdictStrip(points.map((p) => ({ ...p.point, value: null })));
    const charts = FIGURES.filter((f) => points.some((p) => p.run.figures[f.key] !== null)).map((f) =>
      renderSparkline(f.label, points.map((p): TrendPoint => ({ ...p.point, value: p.run.figures[f.key] })), (v) => formatFigure(v, f.unit)),
    );
    const latest = suite.runs.filter((r) => r.scenario === scenario).at(-1)!;
    const regression = `<p${latest.regression?.regressed ? ' class="regression"' : ""}>${esc(regressionText(latest))}</p>`;
    return [
      `<div class="scenario-trend" data-scenario="${esc(scenario)}">`,
      `<h3>${esc(scenario)}</h3>`,
      `<p>last ${points.length} run(s), oldest first: ${strip}</p>`,
      regression,
      `<div class="trends">${charts.join("\n") || "<p>No key figure measured.</p>"}</div>`,
      `</div>`,
    ].join("\n");
  });
  return `<section id="trends"><h2>History across suite runs</h2>\n<p>Squares and dots are coloured by the verdict the suite counted; this suite's runs are ringed, regressions (against the last passing run, <code>havoc compare</code>'s rules) outlined in orange. Hover for details.</p>\n${blocks.join("\n")}</section>`;
}

export function renderSuiteIndex(suite: SuiteRecord, flakiness: readonly ScenarioFlakiness[], past: readonly SuiteRecord[]): string {
  const facts: [string, string][] = [
    ["exit code", `${suite.exitCode}: ${exitExplanation(suite)}`],
    ["outcome", suite.outcome],
    ["started", suite.startedAt],
    ["wall time", wallTimeText(suite) + (suite.budgetMs === null ? "" : ` of a ${formatWallTime(suite.budgetMs)} budget`)],
    ["runs", `${suite.runs.length} run(s), ${suite.runs.filter((r) => r.suiteVerdict === "pass").length} counted as passed, ${suite.notRun.length} not run`],
    ["seeds", suite.seeds],
    ["commit", suite.gitCommit ?? "unknown"],
    ["command", suite.command],
    ["suite id", suite.suiteId],
  ];
  if (suite.baseline) facts.push(["baseline", suite.baseline]);
  if (suite.sharding) facts.push(["shards", shardsText(suite)]);
  const loud = suite.runs.filter((r) => r.loud);
  const loudBox = loud.length === 0 ? "" : `<div class="loud"><h2>CONTROLS THAT PASSED</h2><ul>${loud.map((r) => `<li><strong>${esc(runLabel(r, suite))}</strong>: ${esc(r.note)}</li>`).join("")}</ul></div>`;
  return [
    ...htmlHead(`Havoc suite ${suite.name}: ${suite.verdict.toUpperCase()}`, `${STYLE}${EXTRA_STYLE}`),
    `<body>`,
    `<header class="run-header"><h1>Suite ${esc(suite.name)} ${verdictBadge(suite.verdict)}</h1>`,
    `<dl class="run-facts">${facts.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join("")}</dl></header>`,
    loudBox,
    runsSection(suite),
    flakinessSection(suite, flakiness),
    notRunSection(suite),
    trendsSection(suite, past),
    `<section id="files"><h2>Files</h2><ul>${["junit.xml", "summary.md", "suite.json", HISTORY_FILE].map((f) => `<li><a href="${f}">${f}</a></li>`).join("")}</ul></section>`,
    `</body>`,
    `</html>`,
    ``,
  ].join("\n");
}
