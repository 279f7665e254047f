import { defineCommand } from "./command-spec.ts";
import { environment, interrupted } from "./exit-codes.ts";
import { hostFlag } from "./host-flags.ts";
import { reportsFlag } from "./run-command.ts";

export const shrinkCommand = defineCommand({
  name: "shrink",
  summary: "reduce a failing run's fault plan to the smallest that still fails",
  arguments: "<failing run dir>",
  arity: { min: 1, max: 1, problem: "shrink takes exactly one run directory (havoc-results/runs/<run id>)" },
  description: [
    "Replays the failing run's plan live at the times the run executed (report.json faults[]: a loaded host runs faults later than planned; the log lists each drift and any time it had to rebuild), then delta-debugs it: drops faults, shortens them, moves them earlier, narrows their targets, running each candidate --repeats times (it still fails when at least --min-failures of them, default one, fail the same SLOs), until no single step keeps it failing or the budget is spent.",
    "Writes REPORTS/shrinks/<id>/: minimal.ts (a scenario file with the minimal explicit plan, runnable by itself), shrink.log (every step with its runs, k of n failing; the first step is the replay of the original, so its rate is the failure's replay rate) and shrink.json. Stopping early (budget, Ctrl-C) still writes the best plan so far.",
    "The scenario file is the one the run recorded (events.ndjson); it must still draw the run's plan from the run's seed, else it is another version of the scenario and shrink refuses.",
  ].join("\n"),
  flags: {
    repeats: { kind: "whole", value: "K", min: 1, help: "runs per candidate; it still fails when at least --min-failures of them fail", default: "3" },
    "min-failures": { kind: "whole", value: "M", min: 1, help: "failing runs of K a candidate needs to still fail; on a host where harmless runs fail now and then, 3 of 5 keeps the cause where 1 of 3 loses it", default: "1" },
    budget: { kind: "duration", value: "DURATION", help: "stop starting runs once this much time has passed; the best plan so far is written", default: "30m" },
    scenario: { kind: "text", value: "FILE", help: "the scenario file, when it moved since the run", default: "the file the run recorded" },
    reports: reportsFlag,
    host: hostFlag,
  },
  examples: [
    { command: "havoc shrink havoc-results/runs/20261206-201500-abc123", what: "shrink a failure explore found (3 runs per candidate, at most 30 min)" },
    { command: "havoc shrink havoc-results/latest --repeats 1 --budget 15m", what: "a cheaper, quicker shrink of a deterministic failure" },
    { command: "havoc shrink havoc-results/latest --repeats 5 --min-failures 3", what: "on a loaded host, where a harmless plan fails now and then by itself" },
  ],
  exitCodes: [
    [0, "shrunk to a 1-minimal plan"],
    [1, "stopped by the budget: the best plan so far is written, not minimal"],
    [2, "bad input: --min-failures above --repeats, not a run directory, a run that did not fail, or a run of another version of the scenario; nothing was started"],
    [4, "the original plan did not fail again in its repeats: nothing to shrink (flaky, or the failure needs more than the plan)"],
    environment,
    interrupted,
  ],
  async run({ positionals, flags }) {
    const { shrinkRunDir } = await import("./shrink.ts");
    const { parseHostFlags } = await import("./host-flags.ts");
    return shrinkRunDir(positionals[0]!, { repeats: flags.repeats, minFailures: flags["min-failures"], budgetMs: flags.budget, scenarioFile: flags.scenario, reportsDir: flags.reports, hosts: parseHostFlags(flags.host) });
  },
});
