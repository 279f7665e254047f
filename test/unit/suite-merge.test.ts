import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExitCode, InputError } from "../../core/errors.ts";
import { aggregateFlakiness } from "../../engine/suite/flakiness.ts";
import { HISTORY_FILE, parseSuiteHistory } from "../../engine/suite/history-file.ts";
import { mergeShards } from "../../engine/suite/merge-shards.ts";
import { SHARD_FILE, ShardFile } from "../../engine/suite/shard-file.ts";
import { wallTimeText } from "../../engine/suite/suite-format.ts";
import { SuiteRecord } from "../../engine/suite/suite-record.ts";
import { pastNight, quietLog, runPass, type RecordedScenario } from "../support/shard-fixtures.ts";

/**
 * "A suite run as n shards and merged equals the suite run whole": the same recorded runs are executed once whole
 * and once as n shards (each its own reports folder and fake clock, as on separate CI machines), the shards merged,
 * and the merged directory's suite.json, summary.md, junit.xml, index.html and history line compared with the whole
 * run's. What must differ is listed below and nothing else is normalised.
 */

/**
 * The only fields of a suite record allowed to differ between a merged and a whole run: the suite's identity and
 * directory (named from its start), its timestamps and wall time (the shards ran side by side: the longest shard's),
 * its command line (`--shard i/n`), and the sharding block only a merge has.
 */
const MUST_DIFFER = ["suiteId", "suiteDir", "startedAt", "finishedAt", "durationMs", "command", "sharding"] as const;

function comparable(record: SuiteRecord): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...record };
  for (const key of MUST_DIFFER) delete copy[key];
  return copy;
}

/** In the rendered files the same fields show as: the suite id, the wall time text, the start, the command, the shards line. */
function normaliseText(text: string, record: SuiteRecord): string {
  return text
    .split(record.suiteId)
    .join("<suite id>")
    .split(wallTimeText(record))
    .join("<wall time>")
    .split(record.startedAt)
    .join("<started>")
    .split(record.command)
    .join("<command>")
    .replace(/^Sharded: .*\n\n/m, "")
    .replace(/<dt>shards<\/dt><dd>[^<]*<\/dd>/, "")
    .replace(/(<testsuites [^>]* time=")[\d.]+"/, '$1<wall time>"');
}

const recorded: RecordedScenario[] = [
  { name: "steady", wallMs: 61_000 },
  { name: "control", wallMs: 72_000, expect: "fail", expectFailing: ["availability"], verdicts: { 1: "fail", 2: "fail", 3: "fail" } },
  // Passes, fails, passes: flaky only when its repeats are seen together, wherever they ran.
  { name: "flappy", wallMs: 80_000, verdicts: { 2: "fail" } },
  // p99 100 ms the night before, 400 ms now: a regression vs the last pass.
  { name: "slowpoke", wallMs: 95_000, p99Ms: 400 },
  // A control that passed: the suite's loudest failure.
  { name: "loud-control", wallMs: 55_000, expect: "fail", expectFailing: ["availability"] },
  { name: "broken", wallMs: 65_000, errors: [2] },
  { name: "undecided", wallMs: 51_000, verdicts: { 3: "unknown" } },
];
const history = [pastNight(recorded)];

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "havoc-merge-"));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function files(dir: string) {
  return {
    suite: SuiteRecord.parse(JSON.parse(await readFile(join(dir, "suite.json"), "utf8"))),
    summary: await readFile(join(dir, "summary.md"), "utf8"),
    junit: await readFile(join(dir, "junit.xml"), "utf8"),
    index: await readFile(join(dir, "index.html"), "utf8"),
  };
}

async function lastHistoryLine(reportsDir: string): Promise<{ count: number; last: SuiteRecord }> {
  const { records, warnings } = parseSuiteHistory(await readFile(join(reportsDir, HISTORY_FILE), "utf8"), HISTORY_FILE);
  expect(warnings).toEqual([]);
  return { count: records.length, last: records.at(-1)! };
}

async function runShards(name: string, total: number, setup: { recorded?: RecordedScenario[]; repeat?: number; history?: SuiteRecord[] } = {}) {
  const shards = [];
  for (let index = 1; index <= total; index++)
    shards.push(await runPass({ recorded: setup.recorded ?? recorded, reportsDir: join(root, name, `shard-${index}`), history: setup.history ?? history, shard: { index, total }, repeat: setup.repeat ?? 3 }));
  return shards;
}

describe.each([2, 3])("a suite of 7 scenarios x 3 repeats run as %i shards and merged", (total) => {
  const name = `equal-${total}`;
  let whole: Awaited<ReturnType<typeof runPass>>;
  let shards: Awaited<ReturnType<typeof runShards>>;
  let merged: Awaited<ReturnType<typeof mergeShards>>;

  beforeAll(async () => {
    whole = await runPass({ recorded, reportsDir: join(root, name, "whole"), history, shard: null, repeat: 3 });
    shards = await runShards(name, total);
    // The merging machine holds the history the shards restored (the nightly workflow's cache).
    const reportsDir = join(root, name, "merged");
    await mkdir(reportsDir, { recursive: true });
    await writeFile(join(reportsDir, HISTORY_FILE), history.map((r) => JSON.stringify(r) + "\n").join(""));
    merged = await mergeShards({ dirs: shards.map((s) => s.suiteDir), reportsDir, historyPath: join(reportsDir, HISTORY_FILE), history, allowMissing: false, log: quietLog });
  });

  it("ran every run exactly once across the shards, each shard its own share", () => {
    const ran = shards.flatMap((s) => s.started).sort();
    expect(ran).toEqual([...whole.started].sort());
    expect(new Set(ran).size).toBe(21);
    for (const s of shards) expect(s.started.length).toBeGreaterThan(0);
  });

  it("is not a trivial fixture: counted pass, fail, error and unknown, a loud control, a regression, a flaky SLO across shards", async () => {
    const verdicts = new Set(whole.suite.runs.map((r) => r.suiteVerdict));
    expect([...verdicts].sort()).toEqual(["error", "fail", "pass", "unknown"]);
    expect(whole.suite.runs.filter((r) => r.loud).map((r) => r.scenario)).toEqual(["loud-control", "loud-control", "loud-control"]);
    expect(whole.suite.runs.some((r) => r.scenario === "slowpoke" && r.regression?.regressed && r.regression.findings.some((f) => f.startsWith("devices p99")))).toBe(true);
    expect(whole.flakiness.find((f) => f.scenario === "flappy")?.slos[0]).toMatchObject({ flaky: true, verdicts: ["pass", "fail", "pass"] });
    // The flaky scenario's repeats ran on different machines: the merge had to put them together to see it.
    const shardsOfFlappy = shards.map((s, i) => (s.started.some((u) => u.startsWith("flappy#")) ? i + 1 : 0)).filter((i) => i > 0);
    expect(shardsOfFlappy.length).toBeGreaterThan(1);
    expect(whole.suite).toMatchObject({ verdict: "fail", exitCode: ExitCode.sloFailed, outcome: "completed" });
  });

  it("suite.json: equal but for the fields listed in MUST_DIFFER", async () => {
    const m = await files(merged.suiteDir);
    const w = await files(whole.suiteDir);
    expect(comparable(m.suite)).toEqual(comparable(w.suite));
    // Spelled out, the parts the task names: counted verdicts, controls, flakiness, regressions, outcome.
    expect(m.suite.runs.map((r) => [r.scenario, r.repeat, r.suiteVerdict, r.loud, r.regression?.regressed ?? null])).toEqual(
      w.suite.runs.map((r) => [r.scenario, r.repeat, r.suiteVerdict, r.loud, r.regression?.regressed ?? null]),
    );
    expect(aggregateFlakiness(m.suite.runs)).toEqual(whole.flakiness);
    expect([m.suite.verdict, m.suite.exitCode, m.suite.outcome]).toEqual([w.suite.verdict, w.suite.exitCode, w.suite.outcome]);
  });

  it("wall time: the longest shard's, and the sum is what one machine took", async () => {
    const { suite } = await files(merged.suiteDir);
    const walls = shards.map((s) => s.suite.durationMs);
    expect(suite.durationMs).toBe(Math.max(...walls));
    expect(suite.sharding).toMatchObject({ total, missing: [], sumMs: walls.reduce((a, b) => a + b, 0) });
    // On the fake clocks a run takes its recorded wall time wherever it runs, so the sum is the whole run's wall time.
    expect(suite.sharding?.sumMs).toBe(whole.suite.durationMs);
    expect(suite.durationMs).toBeLessThan(whole.suite.durationMs);
  });

  it("summary.md, junit.xml and index.html: equal once the MUST_DIFFER fields are replaced by placeholders", async () => {
    const m = await files(merged.suiteDir);
    const w = await files(whole.suiteDir);
    expect(m.summary).toMatch(new RegExp(`^Sharded: shard 1/${total} `, "m"));
    expect(normaliseText(m.summary, m.suite)).toBe(normaliseText(w.summary, w.suite));
    expect(normaliseText(m.junit, m.suite)).toBe(normaliseText(w.junit, w.suite));
    expect(normaliseText(m.index, m.suite)).toBe(normaliseText(w.index, w.suite));
    // The normalisation replaced something in each file: the texts did differ before it.
    expect(m.summary).not.toBe(w.summary);
    expect(m.junit).not.toBe(w.junit);
  });

  it("the history gets one line, equal to the whole run's; the shards appended none", async () => {
    const m = await lastHistoryLine(join(root, name, "merged"));
    const w = await lastHistoryLine(join(root, name, "whole"));
    expect([m.count, w.count]).toEqual([history.length + 1, history.length + 1]);
    expect(comparable(m.last)).toEqual(comparable(w.last));
    for (let i = 1; i <= total; i++) expect((await lastHistoryLine(join(root, name, `shard-${i}`))).count).toBe(history.length);
  });

  it("copies every run's directory under runs/", async () => {
    const m = (await readdir(join(merged.suiteDir, "runs"))).sort();
    const w = (await readdir(join(whole.suiteDir, "runs"))).sort();
    expect(m).toEqual(w);
    expect(m).toHaveLength(21);
    expect(await readFile(join(merged.suiteDir, "runs", "flappy-r2", "report.html"), "utf8")).toBe("<p>flappy-r2</p>\n");
  });

  it("each shard wrote shard.json naming its shard, its runs, the selection, flags and commit", async () => {
    for (const [i, s] of shards.entries()) {
      const file = ShardFile.parse(JSON.parse(await readFile(join(s.suiteDir, SHARD_FILE), "utf8")));
      expect(file.shard).toEqual({ index: i + 1, total });
      expect(file.units.map((u) => `${u.scenario}#${u.repeat}`)).toEqual(s.started);
      expect(file).toMatchObject({ selection: { patterns: ["scenarios"] }, repeat: 3, seeds: "scenario", gitCommit: "0123456789abcdef0123456789abcdef01234567", balancedBy: "wall-time" });
      expect(file.plan).toHaveLength(21);
    }
  });
});

describe("merge refuses shards that are not one suite run (exit 2, naming them)", () => {
  const small: RecordedScenario[] = [
    { name: "alpha", wallMs: 60_000 },
    { name: "beta", wallMs: 70_000 },
  ];
  const smallHistory = [pastNight(small)];
  let shards: Awaited<ReturnType<typeof runPass>>[];

  beforeAll(async () => {
    shards = [];
    for (const index of [1, 2]) shards.push(await runPass({ recorded: small, reportsDir: join(root, "refuse", `shard-${index}`), history: smallHistory, shard: { index, total: 2 }, repeat: 2 }));
  });

  const merge = (dirs: string[], target: string, allowMissing = false) =>
    mergeShards({ dirs, reportsDir: join(root, "refuse", target), historyPath: join(root, "refuse", target, HISTORY_FILE), history: smallHistory, allowMissing, log: quietLog });

  async function odd(label: string, overrides: Parameters<typeof runPass>[0]["overrides"]): Promise<string> {
    const other = await runPass({ recorded: small, reportsDir: join(root, "refuse", label), history: smallHistory, shard: { index: 2, total: 2 }, repeat: 2, overrides });
    return other.suiteDir;
  }

  async function refusal(work: Promise<unknown>): Promise<InputError> {
    const error = await work.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).exitCode).toBe(ExitCode.invalidInput);
    return error as InputError;
  }

  it("of another commit", async () => {
    const dir = await odd("other-commit", { gitCommit: "ffffffffffffffffffffffffffffffffffffffff" });
    const error = await refusal(merge([shards[0]!.suiteDir, dir], "m-commit"));
    expect(error.message).toMatch(/shard 2\/2\) and .* \(shard 1\/2\) differ in commit \("ffff.*" vs "0123.*"\)/);
    expect(error.message).toContain(dir);
  });

  it("of another selection", async () => {
    const dir = await odd("other-selection", { selection: { patterns: ["scenarios/trackr"], tags: [], excludeTags: [] } });
    expect((await refusal(merge([shards[0]!.suiteDir, dir], "m-selection"))).message).toMatch(/differ in selection/);
  });

  it("of another seeds mode", async () => {
    const dir = await odd("other-seeds", { seeds: { kind: "fixed", seed: 7 } });
    expect((await refusal(merge([shards[0]!.suiteDir, dir], "m-seeds"))).message).toMatch(/differ in seeds mode \("fixed" vs "scenario"\)/);
  });

  it("that read another history (so partitioned and judged regressions differently)", async () => {
    const dir = await odd("other-history", { history: [] });
    expect((await refusal(merge([shards[0]!.suiteDir, dir], "m-history"))).message).toMatch(/differ in history/);
  });

  it("given twice, by the same or a copied directory", async () => {
    expect((await refusal(merge([shards[0]!.suiteDir, shards[0]!.suiteDir, shards[1]!.suiteDir], "m-dup"))).message).toMatch(/^shard 1\/2 given twice: /);
    const copy = join(root, "refuse", "copy-of-1");
    await cp(shards[0]!.suiteDir, copy, { recursive: true });
    expect((await refusal(merge([copy, shards[0]!.suiteDir, shards[1]!.suiteDir], "m-dup2"))).message).toMatch(/shard 1\/2 given twice/);
  });

  it("with a shard missing, naming it and its runs, unless --allow-missing", async () => {
    const error = await refusal(merge([shards[0]!.suiteDir], "m-missing"));
    const share = shards[1]!.started.map((u) => u.replace("#", " #")).join(", ");
    expect(error.message).toBe(`shard 2/2 is missing (its ${shards[1]!.started.length} run(s): ${share})`);
    expect(error.hint).toMatch(/--allow-missing/);
    expect(existsSync(join(root, "refuse", "m-missing", "suites"))).toBe(false);
  });

  it("a directory that is not a shard's", async () => {
    const whole = await runPass({ recorded: small, reportsDir: join(root, "refuse", "whole"), history: smallHistory, shard: null, repeat: 2 });
    expect((await refusal(merge([whole.suiteDir], "m-whole"))).message).toMatch(/shard\.json: missing: not a shard's shard\.json/);
  });

  it("merging the same shards twice into one reports folder", async () => {
    await merge([shards[0]!.suiteDir, shards[1]!.suiteDir], "m-twice");
    expect((await refusal(merge([shards[0]!.suiteDir, shards[1]!.suiteDir], "m-twice"))).message).toMatch(/exists already/);
  });

  it("--allow-missing: the missing shard's runs are reported as not run, and the suite cannot pass (exit 3)", async () => {
    const result = await merge([shards[0]!.suiteDir], "m-allowed", true);
    const { suite } = result;
    expect(suite.runs.map((r) => `${r.scenario}#${r.repeat}`)).toEqual(shards[0]!.started);
    expect(suite.notRun.map((n) => [`${n.scenario}#${n.repeat}`, n.reason, n.why])).toEqual(shards[1]!.started.map((u) => [u, "shard-missing", "shard 2/2 delivered no results"]));
    expect(suite).toMatchObject({ outcome: "incomplete", verdict: "error", exitCode: ExitCode.environment, sharding: { total: 2, missing: [2] } });
    const summary = await readFile(join(result.suiteDir, "summary.md"), "utf8");
    expect(summary).toContain("shard 2/2 missing");
    expect(summary).toMatch(/\| alpha #\d \| shard-missing \| shard 2\/2 delivered no results \||\| beta #\d \| shard-missing \|/);
    const junit = await readFile(join(result.suiteDir, "junit.xml"), "utf8");
    expect(junit).toContain(`message="not run (shard-missing): shard 2/2 delivered no results"`);
  });

  it("a shard over its budget makes the merged suite over budget (the worst shard's outcome, exit 5)", async () => {
    // Each run: 60 s traffic + 40 s overhead. A 150 s budget fits one run per machine, not two.
    const timed: RecordedScenario[] = [
      { name: "one", wallMs: 100_000 },
      { name: "two", wallMs: 100_000 },
      { name: "three", wallMs: 100_000 },
    ];
    const past = [pastNight(timed)];
    const parts = [];
    for (const index of [1, 2]) parts.push(await runPass({ recorded: timed, reportsDir: join(root, "budget", `shard-${index}`), history: past, shard: { index, total: 2 }, repeat: 1, overrides: { budgetMs: 150_000 } }));
    expect(parts.map((p) => p.suite.outcome).sort()).toEqual(["completed", "over-budget"]);
    const { suite } = await mergeShards({ dirs: parts.map((p) => p.suiteDir), reportsDir: join(root, "budget", "merged"), historyPath: join(root, "budget", "merged", HISTORY_FILE), history: past, allowMissing: false, log: quietLog });
    expect(suite).toMatchObject({ outcome: "over-budget", verdict: "unknown", exitCode: ExitCode.overBudget });
    expect(suite.runs).toHaveLength(2);
    expect(suite.notRun.map((n) => n.reason)).toEqual(["over-budget"]);
  });
});
