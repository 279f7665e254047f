import { DEFAULT_OUTPUT_DIR } from "../../core/output-dir.ts";
import { resolve } from "node:path";
import { defineCommand } from "./command-spec.ts";
import { badInput, environment, interrupted } from "./exit-codes.ts";

export const suiteCommandSpec = defineCommand({
  name: "suite",
  summary: "run scenarios one after another; one suite report and a line of history",
  arguments: "<files, folders or globs...>",
  arity: { min: 1, max: Number.POSITIVE_INFINITY, problem: "suite takes at least one scenario file, folder or glob" },
  description: [
    "Loads and validates every selected scenario first (one bad file stops the suite before anything starts), then runs them one after another. Writes one suite directory (REPORTS/suites/<suite id>: suite.json, junit.xml, summary.md, index.html) and appends a line to REPORTS/suite-history.ndjson, which later suites compare against to flag regressions and flaky scenarios.",
    'A control scenario (expect: "fail") counts as passed when it fails, and is flagged loudly when it passes.',
    "Split over machines: each runs `--shard i/n` (a deterministic share, balanced by the recorded wall times), then `havoc suite merge <shard dirs...>` makes the one suite report and history line an unsharded run would give.",
  ].join("\n"),
  flags: {
    tag: { kind: "text", value: "T", multiple: true, help: "run only scenarios carrying this tag (every one given)" },
    "exclude-tag": { kind: "text", value: "T", multiple: true, help: "leave out scenarios carrying this tag" },
    repeat: { kind: "whole", value: "N", min: 1, help: "run each scenario N times in a row (flakiness)", default: "1" },
    seed: { kind: "whole", value: "N", help: "one seed for every run", default: "each scenario's own seed" },
    "random-seeds": { kind: "boolean", help: "a fresh random seed for every run (each printed for replay)" },
    budget: { kind: "duration", value: "DURATION", help: 'stop starting runs once this much time has passed ("20m", "1h30m"); runs left unrun make exit 5', default: "none" },
    baseline: { kind: "text", value: "DIR", help: "compare with this earlier suite (its directory or suite.json) instead of the history" },
    "tolerance-points": { kind: "number", value: "N", help: "availability may drop this many percentage points before it is a regression", default: "0.5" },
    "latency-tolerance-percent": { kind: "number", value: "N", help: "latency may grow this many percent before it is a regression", default: "20" },
    name: { kind: "text", value: "NAME", help: "the suite's name, in its id and history (lower-case letters, digits, dashes)", default: 'the tags joined by "-", else "suite"' },
    reports: { kind: "text", value: "DIR", help: "where suites, runs and the history go", default: "./havoc-results" },
    shard: { kind: "text", value: "i/n", help: "run this machine's share of the selected runs (balanced by the recorded wall times); `havoc suite merge` combines the shards", default: "every run" },
    "allow-missing": { kind: "boolean", help: "suite merge only: merge without the shards that are absent (their runs count as not run)" },
  },
  examples: [
    { command: "havoc suite scenarios --tag gate --seed 7 --budget 15m", what: "the pre-release gate: tagged scenarios, fixed seed, at most 15 minutes" },
    { command: "havoc suite scenarios --random-seeds --repeat 3", what: "a nightly hunt: every scenario three times with fresh seeds, flakiness reported" },
    { command: "havoc suite 'scenarios/pgha/*.ts' --baseline havoc-results/suites/20250101-021700-nightly", what: "compare against one earlier suite" },
  ],
  exitCodes: [
    [0, "every run counted as passed"],
    [1, "a run failed (a control that passed counts as a failure), or a --baseline regression"],
    badInput,
    [3, "a run ended in a harness or environment error, or a suite report could not be written"],
    [4, "a run was inconclusive"],
    [5, "over budget: runs were left unrun"],
    interrupted,
  ],
  async run({ positionals, text, argv }) {
    const [{ suiteCommand }, { log }, { enableTypeScriptImports }] = await Promise.all([import("./suite.ts"), import("../../core/log.ts"), import("./typescript-imports.ts")]);
    await enableTypeScriptImports();
    const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value.at(-1) : value);
    const many = (value: string | string[] | undefined) => (value === undefined ? undefined : Array.isArray(value) ? value : [value]);
    return suiteCommand(
      positionals,
      {
        tag: many(text.tag),
        "exclude-tag": many(text["exclude-tag"]),
        repeat: one(text.repeat),
        seed: one(text.seed),
        "random-seeds": text["random-seeds"] !== undefined ? true : undefined,
        budget: one(text.budget),
        baseline: one(text.baseline),
        name: one(text.name),
        reports: one(text.reports),
        "tolerance-points": one(text["tolerance-points"]),
        "latency-tolerance-percent": one(text["latency-tolerance-percent"]),
        shard: one(text.shard),
        "allow-missing": text["allow-missing"] !== undefined ? true : undefined,
      },
      { argv, defaultReportsDir: resolve(DEFAULT_OUTPUT_DIR), log },
    );
  },
});
