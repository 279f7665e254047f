import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { aggregateFlakiness } from "../../engine/suite/flakiness.ts";
import { renderSuiteIndex } from "../../engine/suite/suite-index-html.ts";
import { renderSuiteJunit } from "../../engine/suite/suite-junit.ts";
import type { ScenarioRunRecord } from "../../engine/suite/suite-record.ts";
import { renderSuiteSummary } from "../../engine/suite/suite-summary.ts";
import { writeSuiteReports } from "../../engine/suite/write-suite-reports.ts";
import { all, parseXml } from "../support/parse-xml.ts";
import { runRec, suiteRec } from "../support/suite-records.ts";

const WEIRD = `<b>&"quote'</b>\u0001|pipe`;

const sloRec = (id: string, verdict: "pass" | "fail" | "unknown", why = `${id} ${verdict}`) => ({ id, kind: "availability", verdict, observed: 50, unit: "%", target: ">= 99%", why });

/** A night with an ordinary pass, a control that failed as designed, a control that passed, and a regression. */
function night() {
  const runs: ScenarioRunRecord[] = [
    runRec({ scenario: "crash-one", runId: "r1", runDir: "runs/r1", regression: { against: { suiteId: "n0", runId: "r0", startedAt: "2025-01-01T02:00:00.000Z", source: "baseline" }, regressed: true, findings: ["devices p99: 100.0 ms -> 300.0 ms"], gating: true } }),
    runRec({
      scenario: "crash-all",
      runId: "r2",
      runDir: "runs/r2",
      expect: "fail",
      expectFailing: ["availability"],
      verdict: "fail",
      suiteVerdict: "pass",
      note: "control failed as expected: availability",
      slos: [sloRec("availability", "fail", `availability 40% < 99%: ${WEIRD}`), sloRec("no-lost-writes", "pass")],
    }),
    runRec({
      scenario: "lag",
      runId: "r3",
      runDir: "runs/r3",
      seed: 77,
      expect: "fail",
      expectFailing: ["stale"],
      verdict: "pass",
      suiteVerdict: "fail",
      loud: true,
      note: "CONTROL PASSED: expected stale to FAIL, passed: the harness no longer catches this fault",
      slos: [sloRec("stale", "pass")],
      replay: "npx havoc run scenarios/lag.ts --seed 77",
    }),
  ];
  return suiteRec({
    suiteId: "n1",
    suiteDir: "suites/n1",
    verdict: "fail",
    exitCode: 1,
    outcome: "over-budget",
    runs,
    notRun: [{ scenario: "zone", file: "scenarios/zone.ts", repeat: 1, reason: "over-budget", why: "needs about 2m00s, 10s of the 10m00s budget left" }],
  });
}

describe("suite junit.xml", () => {
  it("has one testsuite per run as the suite counts it, plus control, regression and not-run cases", () => {
    const root = parseXml(renderSuiteJunit(night()));
    expect(root.attributes).toMatchObject({ name: "havoc suite nightly", tests: "9", failures: "3", errors: "0", skipped: "1" });
    const suites = all(root, "testsuite");
    expect(suites.map((s) => [s.attributes["name"], s.attributes["tests"], s.attributes["failures"], s.attributes["skipped"]])).toEqual([
      ["crash-one", "3", "1", "0"],
      ["crash-all", "3", "0", "0"],
      ["lag", "2", "2", "0"],
      ["zone", "1", "0", "1"],
    ]);
    const cases = (i: number) => all(suites[i]!, "testcase").map((c) => [c.attributes["name"], c.children.map((x) => x.name).join(",")]);
    expect(cases(0)).toEqual([["availability", ""], ["no-lost-writes", ""], ["regression vs r0", "failure"]]);
    // The control's expected failure passes, with the note in system-out (escaped, the odd byte dropped).
    expect(cases(1)).toEqual([["availability", "system-out"], ["no-lost-writes", ""], ["expected verdict (control)", "system-out"]]);
    expect(all(suites[1]!, "system-out")[0]!.text).toBe(`failed as the control expects: availability 40% < 99%: <b>&"quote'</b>|pipe`);
    expect(cases(2)).toEqual([["stale", "failure"], ["expected verdict (control)", "failure"]]);
    expect(all(suites[2]!, "failure")[1]!.attributes["message"]).toMatch(/^CONTROL PASSED/);
    expect(Object.fromEntries(all(suites[2]!, "property").map((p) => [p.attributes["name"], p.attributes["value"]]))).toMatchObject({
      seed: "77",
      replay: "npx havoc run scenarios/lag.ts --seed 77",
      report: "runs/r3/report.html",
      counted: "fail",
    });
    expect(all(suites[3]!, "skipped")[0]!.attributes["message"]).toBe("not run (over-budget): needs about 2m00s, 10s of the 10m00s budget left");
  });

  it("names repeats #N so each run is its own testsuite", () => {
    const root = parseXml(renderSuiteJunit(suiteRec({ repeat: 2, runs: [runRec({ repeat: 1 }), runRec({ repeat: 2, runId: "run-2" })] })));
    expect(all(root, "testsuite").map((s) => s.attributes["name"])).toEqual(["demo #1", "demo #2"]);
  });
});

describe("suite summary.md and index.html", () => {
  it("summary puts a control that passed first, then the runs table, replay commands and what was not run", () => {
    const md = renderSuiteSummary(night(), []);
    const lines = md.split("\n");
    expect(lines[0]).toBe("# Havoc suite `nightly`: **FAIL** (exit 1)");
    expect(md.indexOf("## CONTROLS THAT PASSED")).toBeLessThan(md.indexOf("## Runs"));
    expect(md).toContain("- **lag**: CONTROL PASSED: expected stale to FAIL");
    expect(lines).toContain("| crash-all | fail | **PASS (run FAIL)** | 1 | 1m30s | 2.0 s | - | 1.0 s | 0 | 100.0 ms | 99.90% | no earlier passing run |");
    expect(md).toContain("REGRESSION (gate) vs baseline r0 (2025-01-01 02:00Z): devices p99: 100.0 ms -> 300.0 ms");
    expect(md).toContain("npx havoc run scenarios/lag.ts --seed 77   # lag: FAIL (run PASS)");
    // A run that passed but regressed under --baseline fails the suite, so it is worth replaying too.
    expect(md).toContain("npx havoc run scenarios/demo.ts --seed 1   # crash-one: PASS");
    expect(md).not.toContain("# crash-all");
    expect(md).toContain("| zone | over-budget | needs about 2m00s, 10s of the 10m00s budget left |");
  });

  it("summary shows each SLO's pass rate over repeats and names the flaky ones", () => {
    const runs = [1, 2, 3].map((repeat) =>
      runRec({ repeat, runId: `r${repeat}`, seed: repeat, slos: [sloRec("availability", repeat === 2 ? "fail" : "pass"), sloRec("no-lost-writes", "pass")] }),
    );
    const suite = suiteRec({ repeat: 3, runs });
    const md = renderSuiteSummary(suite, aggregateFlakiness(runs));
    expect(md).toContain("## Flakiness over 3 runs per scenario");
    expect(md).toContain("Flaky: demo availability.");
    expect(md).toContain("| demo | availability | 66.7% (2/3) | PASS FAIL PASS | **FLAKY** |");
    expect(md).toContain("| demo | no-lost-writes | 100% (3/3) | PASS PASS PASS | no |");
  });

  it("index.html links every run, draws each scenario's last verdicts and figure trends across nights, marks regressions", () => {
    const earlier = [1, 2, 3].map((i) =>
      suiteRec({ suiteId: `n0${i}`, suiteDir: `suites/n0${i}`, startedAt: `2024-12-3${i - 1}T02:00:00.000Z`, runs: [runRec({ scenario: "crash-one", runId: `old${i}`, runDir: `runs/old${i}`, figures: { ...runRec().figures, p99Ms: 100 * i } })] }),
    );
    const html = renderSuiteIndex(night(), [], earlier);
    expect(html).toContain(`<a href="runs/r1/report.html">crash-one</a>`);
    expect(html).toContain(`<a href="../n01/runs/old1/report.html">`);
    expect(html).toContain(`<div class="loud"><h2>CONTROLS THAT PASSED</h2>`);
    const block = html.slice(html.indexOf(`data-scenario="crash-one"`), html.indexOf(`data-scenario="crash-all"`));
    expect([...block.matchAll(/data-verdict="(\w+)"/g)].map((m) => m[1])).toEqual(["pass", "pass", "pass", "pass"]);
    const p99 = block.slice(block.indexOf(`data-figure="p99"`));
    expect([...p99.slice(0, p99.indexOf("</svg>")).matchAll(/data-value="([\d.]+)"/g)].map((m) => Number(m[1]))).toEqual([100, 200, 300, 100]);
    expect(block).toContain(`class="regressed"`);
    expect(html).not.toMatch(/<script|(src|href)="https?:/);
    // Well-formed enough to parse as XML once the doctype and the void <meta> tags are set aside.
    const body = html.slice(html.indexOf("<body>"), html.indexOf("</body>") + 7).replace(/<br>/g, "<br/>");
    expect(() => parseXml(body)).not.toThrow();
  });

  it("writes suite.json, junit.xml, summary.md, index.html and a copy of the history into the suite directory", async () => {
    const dir = await mkdtemp(join(tmpdir(), "havoc-suite-reports-"));
    try {
      await writeFile(join(dir, "history.ndjson"), "line\n");
      const result = await writeSuiteReports(join(dir, "suites", "n1"), night(), [], [], join(dir, "history.ndjson"), createLogger("t", () => undefined));
      expect(result).toEqual({ written: ["suite.json", "junit.xml", "summary.md", "index.html", "suite-history.ndjson"], failures: [] });
      expect((await readdir(join(dir, "suites", "n1"))).sort()).toEqual(["index.html", "junit.xml", "suite-history.ndjson", "suite.json", "summary.md"]);
      expect(JSON.parse(await readFile(join(dir, "suites", "n1", "suite.json"), "utf8"))).toEqual(night());
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
