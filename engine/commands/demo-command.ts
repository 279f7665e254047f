import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineCommand } from "./command-spec.ts";
import { runExitCodes } from "./exit-codes.ts";
import { reportsFlag } from "./run-command.ts";

/**
 * The demo is data of the package, not code of the harness (which never names a reference system): package.json's
 * `havoc.demo`, a scenario file relative to the package.
 */
function demoScenario(): string {
  const packageJson = new URL("../../package.json", import.meta.url);
  const demo = (JSON.parse(readFileSync(packageJson, "utf8")) as { havoc?: { demo?: string } }).havoc?.demo;
  if (!demo) throw new Error(`${fileURLToPath(packageJson)} names no demo scenario (havoc.demo)`);
  return fileURLToPath(new URL(`../../${demo}`, import.meta.url));
}

export const demoCommand = defineCommand({
  name: "demo",
  summary: "run the bundled demo: kill one of trackr's three app nodes under load",
  arguments: "",
  arity: { min: 0, max: 0, problem: "demo takes no arguments" },
  description: "Runs the package's demo scenario (package.json havoc.demo: scenarios/trackr/app-node-crash.ts), as `havoc run` would: a small app behind a load balancer loses one app node for 20 s while devices write and dashboards read; the SLOs say whether anything acknowledged was lost.",
  flags: {
    seed: { kind: "whole", value: "N", help: "seed for every random choice (which app node dies)", default: "the scenario's seed" },
    reports: reportsFlag,
  },
  examples: [{ command: "havoc demo", what: "run it; the report is in ./havoc-results/latest/report.html" }],
  exitCodes: runExitCodes,
  async run({ flags }) {
    const { runScenarioFile } = await import("./run-scenario-file.ts");
    return runScenarioFile(demoScenario(), { seed: flags.seed, reportsDir: flags.reports });
  },
});
