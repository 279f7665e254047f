import { existsSync, readdirSync } from "node:fs";
import { mkdtemp, readFile, readdir, realpath } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SuiteRecord } from "../../engine/suite/suite-record.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { all, parseXml } from "../support/parse-xml.ts";
import { leftovers, runHavoc } from "../support/run-cli.ts";
import { eventTypes, pollUntil, runDirs, spawnHavoc } from "../support/spawn-havoc.ts";

/**
 * A tiny real suite through the CLI: two 30 s trackr scenarios picked by a glob, the first a control built to fail
 * (its only app node is killed for 15 s against a 99 % availability target), the second an ordinary one that passes.
 * Proves the control counts as passed, the suite exits 0, and the suite directory, the combined junit.xml and the
 * history line hold what each real run's own report.json says.
 */
describe("havoc suite (integration)", () => {
  it("runs a control and a passing scenario, counts both as passed, writes one suite report and a history line", async () => {
    const run = await runHavoc(["suite", "test/fixtures/trackr-short-kill*.ts", "--random-seeds", "--name", "itest"], { timeoutMs: 540_000 });
    expect(run.exitCode, run.stderr.slice(-4000)).toBe(0);

    const suiteDir = await realpath(join(run.reportsDir, "latest-suite"));
    // No `latest` link in it (each run made one): an uploaded artifact must not hold a run twice.
    expect((await readdir(suiteDir)).sort()).toEqual(["index.html", "junit.xml", "runs", "suite-history.ndjson", "suite.json", "summary.md"]);
    const suite = SuiteRecord.parse(JSON.parse(await readFile(join(suiteDir, "suite.json"), "utf8")));
    expect(suite).toMatchObject({ name: "itest", verdict: "pass", exitCode: 0, outcome: "completed", seeds: "random", notRun: [] });
    expect(suite.runs.map((r) => [r.file, r.expect, r.verdict, r.suiteVerdict, r.loud])).toEqual([
      ["test/fixtures/trackr-short-kill-control.ts", "fail", "fail", "pass", false],
      ["test/fixtures/trackr-short-kill.ts", "pass", "pass", "pass", false],
    ]);

    // Each run is a real run with its own directory, and the suite's record agrees with its report.json.
    for (const record of suite.runs) {
      const report = RunReport.parse(JSON.parse(await readFile(join(suiteDir, record.runDir, "report.json"), "utf8")));
      expect(report.runId).toBe(record.runId);
      expect(report.seed).toBe(record.seed);
      expect(record.replay).toBe(`npx havoc run ${record.file} --seed ${report.seed}`);
      expect(report.expect).toBe(record.expect);
      expect(record.figures.lostWrites).toBe(report.dataLoss.lost);
      expect(report.faults.map((f) => f.kind)).toEqual(["kill"]);
      expect(existsSync(join(suiteDir, record.runDir, "report.html"))).toBe(true);
      expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
    }
    const control = suite.runs[0]!;
    const availability = control.slos.find((s) => s.id === "availability-99")!;
    expect(availability.verdict).toBe("fail");
    expect(availability.observed).toBeLessThan(99);
    expect(control.note).toBe("control failed as expected: availability-99");

    const junit = parseXml(await readFile(join(suiteDir, "junit.xml"), "utf8"));
    expect(junit.attributes).toMatchObject({ failures: "0", errors: "0" });
    const suites = all(junit, "testsuite");
    expect(suites.map((s) => s.attributes["name"])).toEqual(["trackr-short-kill-control", "trackr-short-kill"]);
    const controlCases = all(suites[0]!, "testcase");
    expect(controlCases.map((c) => c.attributes["name"])).toEqual(["availability-99", "no-lost-writes", "expected verdict (control)"]);
    expect(all(controlCases[0]!, "system-out")[0]!.text).toMatch(/^failed as the control expects: devices availability/);

    const history = (await readFile(join(run.reportsDir, "suite-history.ndjson"), "utf8")).trim().split("\n");
    expect(history).toHaveLength(1);
    expect(SuiteRecord.parse(JSON.parse(history[0]!))).toEqual(suite);

    const index = await readFile(join(suiteDir, "index.html"), "utf8");
    for (const record of suite.runs) expect(index).toContain(`<a href="${record.runDir}/report.html">`);
    expect(run.stdout).toContain("suite itest: PASS (exit 0");
    expect(run.stdout).toContain("| trackr-short-kill-control | fail | **PASS (run FAIL)** |");
    expect(run.stdout.trimEnd().split("\n").at(-1)).toBe("itest: 2 passed, 0 failed, 0 skipped");
  });

  it("on SIGTERM stops the run in progress like havoc run, starts no other, still writes the suite report, exits 143", async () => {
    const reportsDir = await mkdtemp(join(tmpdir(), "havoc-suite-signal-"));
    const suite = spawnHavoc(["suite", "test/fixtures/trackr-short-kill.ts", "test/fixtures/trackr-short-kill-control.ts", "--name", "sig", "--reports", reportsDir]);
    const suiteRuns = () => {
      const suites = join(reportsDir, "suites");
      const [suiteId] = existsSync(suites) ? readdirSync(suites) : [];
      return suiteId ? runDirs(join(suites, suiteId)) : [];
    };
    const trafficOn = await pollUntil(() => suiteRuns().some((d) => eventTypes(d).includes("traffic-started")), 120_000);
    expect(trafficOn, suite.stderr().slice(-2000)).toBe(true);
    const sentAt = Date.now();
    suite.child.kill("SIGTERM");
    const exit = await suite.exited;
    expect(exit.code, suite.stderr().slice(-2000)).toBe(143);
    // runScenario's own promise for a signal: healed and torn down within 15 s; the suite's reports come on top.
    expect(exit.atMs - sentAt).toBeLessThan(20_000);
    const record = SuiteRecord.parse(JSON.parse(await readFile(join(reportsDir, "latest-suite", "suite.json"), "utf8")));
    expect(record).toMatchObject({ outcome: "interrupted", exitCode: 143 });
    expect(record.runs.map((r) => [r.scenario, r.status])).toEqual([["trackr-short-kill", "aborted"]]);
    expect(record.notRun).toEqual([{ scenario: "trackr-short-kill-control", file: "test/fixtures/trackr-short-kill-control.ts", repeat: 1, reason: "interrupted", why: "suite interrupted by SIGTERM" }]);
    expect(await leftovers(record.runs[0]!.runId)).toEqual({ containers: 0, networks: 0 });
    expect(suiteRuns()).toHaveLength(1);
  });
});
