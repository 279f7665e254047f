import type { FileReporter } from "./reporter.ts";
import type { SloResult } from "../../core/verdict.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { escapeXml, escapeXmlAttribute } from "./escape.ts";
import { voidLine } from "./summary-markdown.ts";

/** The body of a <testcase>: nothing for a pass, else <failure>, <error> or <skipped> carrying the message. */
export function outcomeElement(verdict: SloResult["verdict"] | "error-run" | "skipped-run", message: string): string {
  const text = escapeXml(message);
  const attr = escapeXmlAttribute(message);
  switch (verdict) {
    case "pass":
      return "";
    case "fail":
      return `\n      <failure message="${attr}" type="slo-failed">${text}</failure>\n    `;
    case "error":
    case "error-run":
      return `\n      <error message="${attr}" type="check-error">${text}</error>\n    `;
    case "unknown":
    case "skipped-run":
      return `\n      <skipped message="${attr}"/>\n    `;
  }
}

/**
 * JUnit XML for CI test tabs: one <testsuite> named after the scenario, one <testcase> per SLO
 * (fail -> <failure>, error -> <error>, unknown -> <skipped>). A run that did not complete gets one more
 * test case "run status" (error -> <error>, otherwise <skipped>) so a CI page shows why; SLO ids cannot
 * contain a space, so that name never collides with an SLO.
 */
export function renderJunitXml(report: RunReport): string {
  const classname = escapeXmlAttribute(`havoc.${report.scenario}`);
  const cases = report.slos.map(
    (s) => `    <testcase classname="${classname}" name="${escapeXmlAttribute(s.id)}" time="0">${outcomeElement(s.verdict, s.why)}</testcase>`,
  );
  const counts = { failures: 0, errors: 0, skipped: 0 };
  for (const s of report.slos) {
    if (s.verdict === "fail") counts.failures++;
    if (s.verdict === "error") counts.errors++;
    if (s.verdict === "unknown") counts.skipped++;
  }
  if (report.status !== "completed") {
    const isError = report.status === "error";
    if (isError) counts.errors++;
    else counts.skipped++;
    const message = `run ${report.status}${report.reason === null ? "" : `: ${report.reason}`}${report.void ? ` (VOID: ${voidLine(report.void)})` : ""}`;
    cases.push(`    <testcase classname="${classname}" name="run status" time="0">${outcomeElement(isError ? "error-run" : "skipped-run", message)}</testcase>`);
  }
  const seconds = (report.durationMs / 1000).toFixed(3);
  const suiteAttrs =
    `name="${escapeXmlAttribute(report.scenario)}" tests="${cases.length}" failures="${counts.failures}" errors="${counts.errors}" ` +
    `skipped="${counts.skipped}" time="${seconds}" timestamp="${escapeXmlAttribute(report.startedAt)}"`;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="havoc" tests="${cases.length}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds}">`,
    `  <testsuite ${suiteAttrs}>`,
    `    <properties>`,
    `      <property name="seed" value="${escapeXmlAttribute(String(report.seed))}"/>`,
    `      <property name="runId" value="${escapeXmlAttribute(report.runId)}"/>`,
    `      <property name="verdict" value="${escapeXmlAttribute(report.verdict)}"/>`,
    `    </properties>`,
    ...cases,
    `  </testsuite>`,
    `</testsuites>`,
    ``,
  ].join("\n");
}

export const junitReporter: FileReporter = { name: "junit", file: "junit.xml", render: (report) => renderJunitXml(report) };
