import { defineCommand } from "./command-spec.ts";
import { badInput, environment, interrupted } from "./exit-codes.ts";
import { hostFlag } from "./host-flags.ts";
import { reportsFlag } from "./run-command.ts";

export const exploreCommand = defineCommand({
  name: "explore",
  summary: "run a scenario seed after seed, group the failures by signature",
  arguments: "<scenario file>",
  arity: { min: 1, max: 1, problem: "explore takes exactly one scenario file" },
  description: [
    "Runs the scenario live once per seed, one run after another (each a normal `havoc run` with its reports), so a fault generator (faultGenerator in the scenario) draws a new schedule every time. Prints a progress line after each run and ends with a table: seeds tried, runs per hour, failures per signature (the failed SLOs and the kinds of fault in the plan) with the first seed and run of each. Shrink a failing run with `havoc shrink <run dir>`.",
    "Ctrl-C stops the run under way (healed, torn down), leaves it out and prints the table so far. The table is also written to REPORTS/explores/<id>/ (explore.json, summary.txt), and the exploration joins the suite history (REPORTS/suite-history.ndjson) as one suite named explore-<scenario>, one run per seed, so `havoc suite`'s regression marks and --baseline see its runs.",
  ].join("\n"),
  flags: {
    runs: { kind: "whole", value: "N", min: 1, help: "stop after N runs" },
    budget: { kind: "duration", value: "DURATION", help: 'stop starting runs once this much time has passed ("30m", "2h")' },
    seed: { kind: "whole", value: "S", help: "the first seed: seeds S, S+1, S+2, ... (a replayable exploration)", default: "fresh random seeds" },
    reports: reportsFlag,
    host: hostFlag,
  },
  examples: [
    { command: "havoc explore scenarios/trackr/explore-app-overlap.ts --runs 6", what: "six seeds; the table says which failed and how" },
    { command: "havoc explore scenarios/pgha/primary-kill-sync.ts --budget 2h --seed 1000", what: "seeds 1000, 1001, ... for two hours" },
  ],
  exitCodes: [
    [0, "no run failed (3 instead when the history line could not be written)"],
    [1, "at least one run failed (the table lists the seeds)"],
    badInput,
    environment,
    interrupted,
  ],
  async run({ positionals, flags, argv }) {
    const { exploreScenarioFile } = await import("./explore.ts");
    const { parseHostFlags } = await import("./host-flags.ts");
    return exploreScenarioFile(positionals[0]!, { runs: flags.runs, budgetMs: flags.budget, seed: flags.seed, reportsDir: flags.reports, hosts: parseHostFlags(flags.host), argv });
  },
});
