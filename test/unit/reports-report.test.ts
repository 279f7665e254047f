import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { History, TimelineBucket } from "../../core/history.ts";
import { createLogger } from "../../core/log.ts";
import { Scenario } from "../../scenario/scenario.ts";
import { buildReport, type BuildReportInput } from "../../judge/build-report.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { renderConsoleTable } from "../../reports/reporters/console-table.ts";
import { renderHtmlReport } from "../../reports/reporters/html-report.ts";
import { renderJunitXml } from "../../reports/reporters/junit-xml.ts";
import { renderSummaryMarkdown } from "../../reports/reporters/summary-markdown.ts";
import { evaluateSlos } from "../../judge/evaluate.ts";
import { writeReports } from "../../reports/write-reports.ts";
import { fileReporters } from "../../reports/reporters/registry.ts";
import { all, parseXml } from "../support/parse-xml.ts";
import { checkListAppend } from "../../judge/checkers/list-append/check.ts";
import { a, history as buildHistory, r, txn } from "../../judge/checkers/testing/build.ts";
import { ConsistencySlo, consistencyResult } from "../../judge/slos/consistency.ts";
import { checkBank } from "../../judge/checkers/bank.ts";
import { BankSlo, bankResult } from "../../judge/slos/bank.ts";
import { LinearizableSlo, linearizableResult } from "../../judge/slos/linearizable.ts";

// ---- a hand-made run: two traffic classes, two faults, one of them never healed ----

function bucket(traffic: string, second: number, ok: number, fail = 0, unknown = 0): TimelineBucket {
  return {
    traffic,
    second,
    requests: ok + fail + unknown,
    ok,
    fail,
    unknown,
    causes: { http_201: ok, ...(fail ? { http_503: fail } : {}), ...(unknown ? { timeout: unknown } : {}) },
    latency: { "30": ok, "60": fail + unknown }, // bucket 30 ~ 16.8 ms, 60 ~ 290 ms
    freshnessChecks: 0,
    staleReads: 0,
  };
}

const WEIRD = `<b>&"quote'</b>\u0001|pipe`;

function history(): History {
  const timeline: TimelineBucket[] = [];
  for (let s = 0; s < 30; s++) {
    timeline.push(bucket("devices", s, s >= 10 && s < 20 ? 80 : 100, s >= 10 && s < 20 ? 15 : 0, s >= 10 && s < 20 ? 5 : 0));
    timeline.push(bucket("users", s, 10));
  }
  return {
    runId: "run-42",
    scenario: "demo",
    seed: 1234,
    trafficStartEpochMs: 1_700_000_000_000,
    trafficEndMs: 30_000,
    timeline,
    faults: [
      { id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 10_000, healedAtMs: 20_000, mechanism: "docker kill SIGKILL", notes: [] },
      { id: "pause-db", kind: "pause", targets: ["db"], injectedAtMs: 25_000, healedAtMs: null, mechanism: "docker pause", notes: ["run aborted before heal"] },
    ],
    containerEvents: [
      { atMs: -5_000, node: "app-2", action: "start" },
      { atMs: 10_010, node: "app-2", action: "die", exitCode: 137 },
      { atMs: 19_500, node: "app-2", action: "start" },
    ],
    writes: { devices: { acknowledged: ["a1", "a2", "a3"], unknown: ["u1"], failed: [], stored: ["a1", "u1"] } },
    droppedIterations: { devices: 0 },
    droppedBySecond: [],
  };
}

const scenario = Scenario.parse({
  name: "demo",
  description: "two app nodes behind a balancer",
  secrets: ["device-key"],
  topology: { nodes: [{ name: "app-1", image: "app", ports: [8080] }, { name: "app-2", image: "app", ports: [8080] }, { name: "db", image: "db", ports: [5432] }] },
  traffic: [
    { name: "devices", script: "k6", file: "/load/devices.ts", target: { node: "app-1", port: 8080 }, duration: "30s" },
    { name: "users", script: "k6", file: "/load/devices.ts", target: { node: "app-1", port: 8080 }, duration: "30s" },
    { name: "idle", script: "k6", file: "/load/devices.ts", target: { node: "app-1", port: 8080 }, duration: "30s" },
  ],
  faults: [
    { kind: "kill", id: "kill-app-2", target: { names: ["app-2"] }, at: "10s", for: "10s" },
    { kind: "pause", id: "pause-db", target: { names: ["db"] }, at: "25s" },
  ],
  readback: [{ kind: "postgres", traffic: "devices", node: "db", database: "d", user: "u", password: "p", idsQuery: "SELECT id FROM t" }],
  slos: [
    { kind: "availability", id: "devices-during-kill", traffic: "devices", window: { kind: "fault", fault: "kill-app-2", phase: "during" }, atLeastPercent: 99 },
    { kind: "availability", id: "users-available", traffic: "users", atLeastPercent: 99 },
    { kind: "lost-writes", id: "no-lost-writes", traffic: "devices" },
    { kind: "availability", id: "idle-available", traffic: "idle", atLeastPercent: 50 },
  ],
});

const judgedSlos = await evaluateSlos(scenario.slos, history());

function input(overrides: Partial<BuildReportInput> = {}): BuildReportInput {
  const h = history();
  return {
    scenario,
    history: h,
    slos: judgedSlos,
    status: "completed",
    reason: null,
    startedAt: new Date(1_700_000_000_000 - 20_000),
    finishedAt: new Date(1_700_000_000_000 + 45_500),
    plan: { seed: 1234, faults: [{ id: "kill-app-2", kind: "kill", targets: ["app-2"], atMs: 10_000, healAtMs: 20_000 }, { id: "pause-db", kind: "pause", targets: ["db"], atMs: 25_000, healAtMs: null }] },
    runId: "run-42",
    ...overrides,
  };
}

describe("buildReport", () => {
  it("builds a schema-valid report with verdict, traffic and data-loss sections", async () => {
    const report = buildReport(input());
    expect(RunReport.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report).toMatchObject({ schemaVersion: 1, scenario: "demo", seed: 1234, runId: "run-42", status: "completed", verdict: "fail", exitCode: 1, durationMs: 65_500, containerEvents: 3 });
    expect(report.slos.map((s) => s.verdict)).toEqual(["fail", "pass", "fail", "unknown"]);
    expect(report.traffic["devices"]).toMatchObject({ requests: 3_000, ok: 2_800, fail: 150, unknown: 50, availabilityPercent: 93.33, causes: { http_201: 2_800, http_503: 150, timeout: 50 }, droppedIterations: 0 });
    expect(report.traffic["devices"]?.latencyMs?.p50).toBeCloseTo(16.8, 0);
    expect(report.traffic["devices"]?.latencyMs?.p99).toBeGreaterThan(250);
    expect(report.traffic["idle"]).toMatchObject({ requests: 0, availabilityPercent: null, latencyMs: null });
    expect(report.dataLoss).toMatchObject({ acknowledged: 3, lost: 2, unknown: 1, recovered: 1, unexpected: 0, lostSample: ["a2", "a3"] });
    expect(report.faults[1]).toEqual({ id: "pause-db", kind: "pause", targets: ["db"], injectedAt: 25_000, healedAt: null, mechanism: "docker pause", notes: ["run aborted before heal"] });
  });

  it("never lets a run that did not complete pass", async () => {
    const passing = input({ slos: [{ id: "a", kind: "availability", verdict: "pass", observed: 100, target: ">= 99%", unit: "%", window: null, why: "" }] });
    expect(buildReport(passing)).toMatchObject({ verdict: "pass", exitCode: 0 });
    expect(buildReport({ ...passing, status: "inconclusive", reason: "gate failed" })).toMatchObject({ verdict: "unknown", exitCode: 4, reason: "gate failed" });
    expect(buildReport({ ...passing, status: "error", reason: "docker died" })).toMatchObject({ verdict: "error", exitCode: 3 });
    expect(buildReport({ ...input(), status: "aborted", reason: "SIGINT" })).toMatchObject({ verdict: "fail", exitCode: 1 });
    expect(buildReport({ ...passing, slos: [] })).toMatchObject({ verdict: "unknown", exitCode: 4 });
  });
});

describe("console table", () => {
  it("prints a fixed-width SLO table, the data-loss line and the verdict last", async () => {
    const text = renderConsoleTable(buildReport(input()));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SLO\s+verdict\s+observed\s+target\s+window$/);
    expect(lines[2]).toMatch(/^devices-during-kill\s+FAIL\s+80\.00%\s+>= 99%\s+during kill app-2 \(10\.0 s to 20\.0 s\)$/);
    // Every column starts at the same offset on every row.
    const verdictColumn = lines[0]!.indexOf("verdict");
    for (const line of lines.slice(2, 6)) expect(line.slice(verdictColumn)).toMatch(/^(PASS|FAIL|UNKNOWN|ERROR)\s/);
    expect(lines.at(-2)).toBe("acknowledged 3, lost 2, unknown 1, recovered 1");
    expect(lines.at(-1)).toBe("verdict: FAIL (exit 1)");
  });
});

describe("junit.xml", () => {
  it("parses back to one suite with one test case per SLO", async () => {
    const report = buildReport(input());
    const root = parseXml(renderJunitXml(report));
    expect(root.name).toBe("testsuites");
    const suites = all(root, "testsuite");
    expect(suites).toHaveLength(1);
    const suite = suites[0]!;
    expect(suite.attributes).toMatchObject({ name: "demo", tests: "4", failures: "2", errors: "0", skipped: "1" });
    const properties = Object.fromEntries(all(suite, "property").map((p) => [p.attributes["name"], p.attributes["value"]]));
    expect(properties).toMatchObject({ seed: "1234", runId: "run-42" });
    const cases = all(suite, "testcase");
    expect(cases.map((c) => [c.attributes["classname"], c.attributes["name"], c.children.map((x) => x.name)])).toEqual([
      ["havoc.demo", "devices-during-kill", ["failure"]],
      ["havoc.demo", "users-available", []],
      ["havoc.demo", "no-lost-writes", ["failure"]],
      ["havoc.demo", "idle-available", ["skipped"]],
    ]);
    expect(cases[0]!.children[0]!.attributes["message"]).toBe(report.slos[0]!.why);
    expect(cases[3]!.children[0]!.attributes["message"]).toContain("no traffic in window");
  });

  it("reports error verdicts as <error>, a run that did not complete as an extra case, and escapes everything", async () => {
    const report = buildReport(
      input({
        status: "error",
        reason: `harness broke: ${WEIRD}`,
        runId: `run-${WEIRD}`,
        slos: [{ id: "x", kind: "availability", verdict: "error", observed: null, target: "", unit: "", window: null, why: `check crashed: ${WEIRD}\nsecond line` }],
      }),
    );
    const xml = renderJunitXml(report);
    expect(xml).not.toContain("\u0001");
    const root = parseXml(xml);
    const cases = all(root, "testcase");
    expect(cases.map((c) => [c.attributes["name"], c.children.map((x) => x.name)])).toEqual([
      ["x", ["error"]],
      ["run status", ["error"]],
    ]);
    expect(cases[0]!.children[0]!.attributes["message"]).toBe(`check crashed: <b>&"quote'</b>|pipe\nsecond line`);
    expect(cases[0]!.children[0]!.text).toBe(`check crashed: <b>&"quote'</b>|pipe\nsecond line`);
    expect(all(root, "property").find((p) => p.attributes["name"] === "runId")?.attributes["value"]).toBe(`run-<b>&"quote'</b>|pipe`);
  });
});

describe("summary.md", () => {
  it("has the verdict marker and the SLO, faults, data-loss and traffic tables", async () => {
    const md = renderSummaryMarkdown(buildReport(input()));
    expect(md.split("\n")[0]).toBe("# Havoc `demo`: **FAIL**");
    for (const heading of ["## SLOs", "## Faults", "## Data loss", "## Traffic"]) expect(md).toContain(heading);
    expect(md).toContain("| kill-app-2 | kill | app-2 | 10.0 s | 20.0 s |");
    expect(md).toContain("| pause-db | pause | db | 25.0 s | never |");
    expect(md).toMatch(/\| devices \| 3,000 \| 93\.33% \| 16\.\d ms \|/);
    expect(md).toContain("| **total** | 3 | 2 | 1 | 1 | 0 | 0 | 2 |");
  });

  it("escapes pipes and line breaks inside cells", async () => {
    const md = renderSummaryMarkdown(
      buildReport(input({ slos: [{ id: "x", kind: "availability", verdict: "unknown", observed: null, target: "", unit: "%", window: null, why: "a|b\nc" }] })),
    );
    expect(md).toContain("a\\|b c");
    expect(md).toContain("**UNKNOWN**");
  });
});

describe("report.html", () => {
  it("is self-contained, with one timeline per traffic class and one fault band per fault", async () => {
    const h = history();
    const report = buildReport(input());
    const html = renderHtmlReport(report, h);
    expect(html).not.toMatch(/<script|<link|@import|\ssrc=|href="|url\(/i);
    const svgs = [...html.matchAll(/<svg class="timeline"[\s\S]*?<\/svg>/g)].map((m) => parseXml(m[0]));
    expect(svgs.map((s) => s.attributes["data-traffic"])).toEqual(["devices", "users", "idle"]);
    for (const svg of svgs) {
      const bands = all(svg, "g").filter((g) => g.attributes["class"] === "fault-band");
      expect(bands.map((b) => b.attributes["data-fault-id"])).toEqual(["kill-app-2", "pause-db"]);
      // The setup event (negative time) is not drawn; the two during traffic are.
      const events = all(svg, "line").filter((l) => l.attributes["class"] === "container-event");
      expect(events.map((e) => `${e.attributes["data-node"]} ${e.attributes["data-action"]}`)).toEqual(["app-2 die", "app-2 start"]);
      for (const cls of ["throughput-bars", "error-line", "latency-p50", "latency-p95"]) expect(all(svg, "path").filter((p) => p.attributes["class"] === cls)).toHaveLength(1);
    }
    const devices = svgs[0]!;
    const band = all(devices, "g").find((g) => g.attributes["data-fault-id"] === "kill-app-2")!;
    const rect = band.children.find((c) => c.name === "rect")!;
    // 10 s to 20 s of a 30 s domain over the 836 px plot that starts at x = 60.
    expect(Number(rect.attributes["x"])).toBeCloseTo(60 + 836 / 3, 0);
    expect(Number(rect.attributes["width"])).toBeCloseTo(836 / 3, 0);
    expect(all(devices, "path").find((p) => p.attributes["class"] === "throughput-bars")!.attributes["d"]!.match(/M/g)).toHaveLength(30);
    expect(html).toContain('class="slos"');
    expect(html).toContain('class="data-loss"');
    expect(html).toContain('<section id="plan">');
  });

  it("escapes every piece of text", async () => {
    const h = history();
    h.faults[0]!.id = `evil"><script>alert(1)</script>`;
    h.faults[0]!.targets = [WEIRD];
    const report = buildReport(input({ history: h, slos: [{ id: "x", kind: "availability", verdict: "fail", observed: 1, target: WEIRD, unit: "%", window: null, why: WEIRD }] }));
    const html = renderHtmlReport({ ...report, description: WEIRD }, h);
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<b>");
    expect(html).toContain("&lt;b&gt;&amp;&quot;quote&apos;&lt;/b&gt;");
    for (const m of html.matchAll(/<svg class="timeline"[\s\S]*?<\/svg>/g)) expect(() => parseXml(m[0])).not.toThrow();
  });

  it("draws a consistency SLO's anomalies with counts and witnesses, escaped", () => {
    const ops = buildHistory(txn(a(1, 1)), txn(r(1, 1), a(1, 2)), txn(r(1, 1), a(1, 3)), txn(r(1, 1, 2, 3)));
    const slo = ConsistencySlo.parse({ kind: "consistency", id: "txns-serializable", traffic: "txns" });
    const row = consistencyResult(slo, history(), checkListAppend(ops, { model: "serializable" }));
    const report = RunReport.parse({ ...buildReport(input()), slos: [row] });
    const html = renderHtmlReport(report, history());
    expect(html).toContain('<section id="consistency">');
    expect(html).toContain("<h4>lost-update &times; 1</h4>");
    expect(html).toContain("T1 and T2 both read key 1 = [1]");
    expect(html).toContain("<code>[[&quot;r&quot;,1,[1]],[&quot;append&quot;,1,2]]</code>");
    // No consistency row, no section.
    expect(renderHtmlReport(buildReport(input()), history())).not.toContain('id="consistency"');
  });

  it("draws a linearizable SLO's bad keys (drawing linked, witness ops) and a bank SLO's first bad read", () => {
    const op = (index: number, process: number, f: string, invokeMs: number, completeMs: number, value: unknown) => ({ index, process, f, type: "ok" as const, invokeMs, completeMs, value });
    const ops = [op(0, 0, "write", 0, 5, { key: 0, value: 1 }), op(1, 1, "cas", 10, 20, { key: 0, from: 1, to: 2 }), op(2, 2, "cas", 11, 21, { key: 0, from: 1, to: 3 })];
    const lin = linearizableResult(
      LinearizableSlo.parse({ kind: "linearizable", id: "regs", traffic: "registers" }),
      history(),
      { verdict: "fail", why: "key 0 is not linearizable", keys: [{ key: "0", result: "illegal", ops: 3, elapsedMs: 0.2, visualization: "/run/linearizability-registers/linearizability-0.html", linearizablePrefix: [0, 1], unlinearizableOp: 2 }], elapsedMs: 9, maxMsPerKey: 10_000, problems: [] },
      ops,
      "/run",
    );
    const bankOps = [op(0, 0, "read", 0, 1, { balances: { 0: 10, 1: 12 } })];
    const bank = bankResult(BankSlo.parse({ kind: "bank", id: "money", traffic: "bank" }), history(), checkBank(bankOps, { accounts: [0, 1], initialTotal: 20 }), { accounts: [0, 1], initialTotal: 20 });
    const html = renderHtmlReport(RunReport.parse({ ...buildReport(input()), slos: [lin, bank] }), history());
    expect(html).toContain('<section id="linearizable">');
    expect(html).toContain('<a href="linearizability-registers/linearizability-0.html">');
    expect(html).toContain("<code>{&quot;key&quot;:0,&quot;from&quot;:1,&quot;to&quot;:3}</code>");
    expect(html).toContain('<section id="bank">');
    expect(html).toContain("First bad read: op 0 (line 1), total 22, expected 20: total 22, expected 20");
    expect(renderHtmlReport(buildReport(input()), history())).not.toMatch(/id="(linearizable|bank)"/);
  });

  it("renders without a history, saying the timeline needs one", async () => {
    const html = renderHtmlReport(buildReport(input()));
    expect(html).not.toContain("<svg");
    expect(html).toContain("No history was given");
  });
});

describe("writeReports", () => {
  let dir: string;
  const lines: string[] = [];
  const log = createLogger("test", (line) => lines.push(line));
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-reports-"));
    lines.length = 0;
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("writes report.json, junit.xml, summary.md and report.html", async () => {
    const report = { ...buildReport(input()), artifacts: ["events.ndjson"] };
    const result = await writeReports(dir, report, history(), log);
    expect(result.failures).toEqual([]);
    expect(result.written).toEqual(["junit.xml", "summary.md", "report.html", "report.json"]);
    expect((await readdir(dir)).sort()).toEqual(["junit.xml", "report.html", "report.json", "summary.md"]);
    const saved = RunReport.parse(JSON.parse(await readFile(join(dir, "report.json"), "utf8")));
    expect(saved.artifacts).toEqual(["events.ndjson", "junit.xml", "summary.md", "report.html", "report.json"]);
    expect(saved.verdict).toBe("fail");
  });

  it("logs a reporter that throws and still writes the others", async () => {
    const broken = { name: "broken", file: "broken.txt", render: () => { throw new Error("kaboom"); } };
    const reporters = [fileReporters[0]!, broken, ...fileReporters.slice(1)];
    const result = await writeReports(dir, buildReport(input()), history(), log, reporters);
    expect(result.failures).toMatchObject([{ reporter: "broken", file: "broken.txt", message: "kaboom" }]);
    expect(result.failures[0]!.error).toBeInstanceOf(Error);
    expect(result.written).toEqual(["junit.xml", "summary.md", "report.html", "report.json"]);
    expect(lines).toContain("[test] warning: reporter broken failed: kaboom");
    const saved = RunReport.parse(JSON.parse(await readFile(join(dir, "report.json"), "utf8")));
    expect(saved.verdict).toBe("fail");
    expect(saved.artifacts).not.toContain("broken.txt");
  });

  it("never throws, even when the run directory cannot be created", async () => {
    const file = join(dir, "not-a-dir");
    await writeFile(file, "");
    const result = await writeReports(join(file, "run"), buildReport(input()), history(), log);
    expect(result.written).toEqual([]);
    expect(result.failures.map((f) => f.file)).toEqual(["junit.xml", "summary.md", "report.html", "report.json"]);
  });
});
