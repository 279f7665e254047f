import { escapeXml, escapeXmlAttribute } from "../../reports/reporters/escape.ts";
import { outcomeElement } from "../../reports/reporters/junit-xml.ts";
import { judgeExpectation } from "./expectation.ts";
import type { ScenarioRunRecord, SuiteRecord } from "./suite-record.ts";

/**
 * The suite's junit.xml: one <testsuite> per scenario run (a repeat is "<scenario> #2"), one <testcase> per SLO as
 * the suite counts it (a control's expected failure passes, with a note; a control SLO that passed fails), plus
 * "expected verdict (control)" for a control, "regression vs <run>" under --baseline, "run status" for a run that
 * did not complete, and a skipped case for every run the budget or a signal left unrun. CI test tabs then read the
 * suite as it counts, not as the raw verdicts would.
 */

interface Case {
  name: string;
  body: string;
  kind: "pass" | "failure" | "error" | "skipped";
}

function kindOf(verdict: "pass" | "fail" | "error" | "unknown"): Case["kind"] {
  return verdict === "pass" ? "pass" : verdict === "fail" ? "failure" : verdict === "error" ? "error" : "skipped";
}

function systemOut(text: string): string {
  return `\n      <system-out>${escapeXml(text)}</system-out>\n    `;
}

function casesOf(run: ScenarioRunRecord): Case[] {
  const judged = judgeExpectation(run);
  const cases: Case[] = judged.slos.map((s) => ({
    name: s.id,
    kind: kindOf(s.counted),
    // A control's expected failure passes; the note says why, so no one mistakes it for a plain pass.
    body: s.counted === "pass" ? (s.expectedToFail ? systemOut(s.message) : "") : outcomeElement(s.counted, s.message),
  }));
  if (judged.control !== null) {
    const control = judged.control;
    cases.push({ name: "expected verdict (control)", kind: kindOf(control), body: control === "pass" ? systemOut(judged.note) : outcomeElement(control, judged.note) });
  }
  if (run.regression?.gating) {
    const r = run.regression;
    const name = `regression vs ${r.against.runId}`;
    cases.push(r.regressed ? { name, kind: "failure", body: outcomeElement("fail", r.findings.join("; ")) } : { name, kind: "pass", body: "" });
  }
  if (run.status !== "completed") {
    const message = `run ${run.status}${run.reason === null ? "" : `: ${run.reason}`}`;
    cases.push(run.status === "error" ? { name: "run status", kind: "error", body: outcomeElement("error-run", message) } : { name: "run status", kind: "skipped", body: outcomeElement("skipped-run", message) });
  }
  return cases;
}

function testsuite(name: string, classname: string, cases: readonly Case[], seconds: string, timestamp: string | null, properties: [string, string][]): { xml: string; counts: Record<Case["kind"], number> } {
  const counts = { pass: 0, failure: 0, error: 0, skipped: 0 };
  for (const c of cases) counts[c.kind]++;
  const attrs =
    `name="${escapeXmlAttribute(name)}" tests="${cases.length}" failures="${counts.failure}" errors="${counts.error}" skipped="${counts.skipped}" time="${seconds}"` +
    (timestamp === null ? "" : ` timestamp="${escapeXmlAttribute(timestamp)}"`);
  const xml = [
    `  <testsuite ${attrs}>`,
    `    <properties>`,
    ...properties.map(([k, v]) => `      <property name="${escapeXmlAttribute(k)}" value="${escapeXmlAttribute(v)}"/>`),
    `    </properties>`,
    ...cases.map((c) => `    <testcase classname="${escapeXmlAttribute(classname)}" name="${escapeXmlAttribute(c.name)}" time="0">${c.body}</testcase>`),
    `  </testsuite>`,
  ].join("\n");
  return { xml, counts };
}

export function renderSuiteJunit(suite: SuiteRecord): string {
  const repeated = suite.repeat > 1;
  const suites = suite.runs.map((run) =>
    testsuite(
      repeated ? `${run.scenario} #${run.repeat}` : run.scenario,
      `havoc.${run.scenario}`,
      casesOf(run),
      (run.durationMs / 1000).toFixed(3),
      run.startedAt,
      [
        ["seed", run.seed === null ? "" : String(run.seed)],
        ["runId", run.runId],
        ["verdict", run.verdict],
        ["expect", run.expect],
        ["counted", run.suiteVerdict],
        ["replay", run.replay],
        ["report", run.runDir ? `${run.runDir}/report.html` : ""],
      ],
    ),
  );
  for (const n of suite.notRun) {
    const why = `not run (${n.reason}): ${n.why}`;
    suites.push(testsuite(repeated ? `${n.scenario} #${n.repeat}` : n.scenario, `havoc.${n.scenario}`, [{ name: "not run", kind: "skipped", body: outcomeElement("skipped-run", why) }], "0.000", null, [["file", n.file]]));
  }
  const total = { tests: 0, failure: 0, error: 0, skipped: 0 };
  for (const s of suites) {
    total.tests += s.counts.pass + s.counts.failure + s.counts.error + s.counts.skipped;
    total.failure += s.counts.failure;
    total.error += s.counts.error;
    total.skipped += s.counts.skipped;
  }
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${escapeXmlAttribute(`havoc suite ${suite.name}`)}" tests="${total.tests}" failures="${total.failure}" errors="${total.error}" skipped="${total.skipped}" time="${(suite.durationMs / 1000).toFixed(3)}">`,
    ...suites.map((s) => s.xml),
    `</testsuites>`,
    ``,
  ].join("\n");
}
