import { defineCommand } from "./command-spec.ts";
import { runExitCodes } from "./exit-codes.ts";
import { hostFlag } from "./host-flags.ts";

export const reportsFlag = { kind: "text", value: "DIR", help: "where reports go: DIR/runs/<run id>, and DIR/latest pointing at the newest", default: "./havoc-results" } as const;

export const runCommand = defineCommand({
  name: "run",
  summary: "run one scenario: containers, traffic, faults, SLO verdicts, reports",
  arguments: "<scenario file>",
  arity: { min: 1, max: 1, problem: "run takes exactly one scenario file" },
  description: [
    "Loads and validates the scenario file (a .ts or .js module exporting defineScenario({ ... })), installs what is missing (the engine, k6, images), starts the topology in containers, drives the traffic, injects and heals the faults of the plan, judges the SLOs and writes the reports (report.json, report.html, summary.md, junit.xml).",
    "Ctrl-C heals the faults, stops traffic and tears down (a second Ctrl-C exits at once). To see the plan without starting anything: havoc check <file>.",
  ].join("\n"),
  flags: {
    seed: { kind: "whole", value: "N", help: "seed for every random choice (which nodes a fault hits, random fault schedules)", default: "the scenario's seed, else a random one, written to the report" },
    reports: reportsFlag,
    host: hostFlag,
  },
  examples: [
    { command: "havoc run scenarios/trackr/app-node-crash.ts", what: "run one scenario; reports in ./havoc-results/latest" },
    { command: "havoc run scenarios/trackr/app-node-crash.ts --seed 7", what: "replay the run of seed 7 (same fault targets and schedule)" },
    { command: "havoc run spread.ts --host east=tcp://10.0.0.5:2376", what: "the scenario's host \"east\" is the engine at 10.0.0.5 (every engine of a run spanning hosts is in one swarm)" },
  ],
  exitCodes: runExitCodes,
  async run({ positionals, flags }) {
    const { runScenarioFile } = await import("./run-scenario-file.ts");
    const { parseHostFlags } = await import("./host-flags.ts");
    return runScenarioFile(positionals[0]!, { seed: flags.seed, reportsDir: flags.reports, hosts: parseHostFlags(flags.host) });
  },
});
