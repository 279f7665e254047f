import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ExitCode, HavocError, errorMessage } from "../core/errors.ts";
import { log } from "../core/log.ts";
import { DEFAULT_OUTPUT_DIR } from "../core/output-dir.ts";
import { doctorReport, ensureEnvironment } from "../env/bootstrap/ensure-environment.ts";
import { sweepOrphans } from "../env/docker/sweep.ts";
import { killOrphanLoad } from "../env/processes/orphan-load.ts";
import { imagesForNodes, toolImages } from "../env/images/images.ts";
import type { ImageSpec } from "../env/bootstrap/images.ts";
import { renderConsoleTable } from "../reports/reporters/console-table.ts";
import { compareCommand } from "./commands/compare.ts";
import { reportCommand } from "./commands/report.ts";
import { suiteCommand } from "./commands/suite.ts";
import { loadScenarioFile } from "../scenario/load-scenario.ts";
import { expandScenarioPaths } from "./suite/select-scenarios.ts";
import { runScenario } from "./runner/run-scenario.ts";

const demoScenario = fileURLToPath(new URL("../scenarios/trackr/app-node-crash.ts", import.meta.url));

const usage = `usage: havoc <command>
  run <scenario.ts> [--seed N] [--reports DIR]   run a scenario (from anywhere; reports in DIR, default ./havoc-results)
                                                 exit 0 pass, 1 SLO failed, 2 bad input, 3 environment, 4 inconclusive
  suite <files, folders or globs> [--tag T]... [--exclude-tag T]... [--repeat N] [--seed N | --random-seeds]
        [--budget 20m] [--baseline DIR] [--tolerance-points N] [--latency-tolerance-percent N] [--name NAME] [--reports DIR]
                                                 run scenarios one after another; one suite report (junit.xml, summary.md,
                                                 index.html) and a line in havoc-results/suite-history.ndjson; exit: the worst run
                                                 (a control that fails counts as passed), 5 over budget
  demo                                           run scenarios/trackr/app-node-crash.ts
  setup [files, folders or globs ...]            install/build what runs need (idempotent): the engine, k6, toxiproxy,
                                                 chromium, havoc's tool images, and the images of the scenarios named
  doctor                                         show what is present and what is missing; installs nothing
  clean [--all]                                  remove what dead runs left behind (--all: every havoc resource)
  report <run-dir>                               re-render a saved run's reports (a killed run gets a partial one) and print its table
  compare <baseline-run> <candidate-run> [--tolerance-points N] [--latency-tolerance-percent N]
                                                 compare two runs; exit 1 when the candidate regressed (defaults 0.5 points, 20%)`;

/** Runs one command; returns the process exit code. Errors print one clear message, never a stack trace. */
export async function main(argv: string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        seed: { type: "string" },
        reports: { type: "string" },
        all: { type: "boolean" },
        tag: { type: "string", multiple: true },
        "exclude-tag": { type: "string", multiple: true },
        repeat: { type: "string" },
        "random-seeds": { type: "boolean" },
        budget: { type: "string" },
        baseline: { type: "string" },
        name: { type: "string" },
        "tolerance-points": { type: "string" },
        "latency-tolerance-percent": { type: "string" },
        shard: { type: "string" },
        "allow-missing": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
    const [command, ...rest] = positionals;
    if (values.help || !command) return printUsage(command ? ExitCode.pass : ExitCode.invalidInput);
    switch (command) {
      case "run":
        if (rest.length !== 1) return printUsage(ExitCode.invalidInput, "run takes exactly one scenario file");
        return await runCommand(rest[0]!, values);
      case "suite":
        return await suiteCommand(rest, values, { argv, defaultReportsDir: resolve(DEFAULT_OUTPUT_DIR), log });
      case "demo":
        return await runCommand(demoScenario, values);
      case "setup": {
        // The images come from the scenarios named (their nodes' builds); havoc keeps no list of systems.
        const images = rest.length === 0 ? [...toolImages] : await scenarioImages(rest);
        await ensureEnvironment({ docker: true, baseImage: true, k6: true, toxiproxy: true, chromium: true, netTools: true, actionlint: rest.length === 0, images }, log);
        return ExitCode.pass;
      }
      case "doctor":
        return await doctor();
      case "clean": {
        await ensureEnvironment({ docker: true }, log);
        const swept = await sweepOrphans({ all: values.all === true });
        const load = await killOrphanLoad({ all: values.all === true });
        if (load.length > 0) log.info(`stopped k6 processes of run(s) ${load.join(", ")}`);
        log.info(`removed ${swept.containers} container(s), ${swept.networks} network(s), ${swept.volumes} volume(s) of ${swept.runs.length} run(s)`);
        return ExitCode.pass;
      }
      case "report":
        if (rest.length !== 1) return printUsage(ExitCode.invalidInput, "report takes exactly one run directory");
        return await reportCommand(rest[0]!);
      case "compare":
        if (rest.length !== 2) return printUsage(ExitCode.invalidInput, "compare takes a baseline and a candidate run directory");
        return await compareCommand(rest[0]!, rest[1]!, { tolerancePoints: values["tolerance-points"], latencyTolerancePercent: values["latency-tolerance-percent"] });
      default:
        return printUsage(ExitCode.invalidInput, `unknown command "${command}"`);
    }
  } catch (error) {
    return reportError(error);
  }
}

async function runCommand(file: string, values: { seed?: string | undefined; reports?: string | undefined }): Promise<number> {
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!Number.isInteger(seed) || seed < 0)) return printUsage(ExitCode.invalidInput, `--seed must be a whole number >= 0, got "${values.seed}"`);
  const scenario = await loadScenarioFile(file);
  const abort = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (abort.signal.aborted) {
      // Second signal: stop now; the next run's start (or `havoc clean`) sweeps what is left.
      log.warn(`${signal} again: exiting without cleanup`);
      process.exit(signal === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted);
    }
    log.warn(`${signal}: healing faults, stopping traffic, tearing down (send again to force)`);
    abort.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    const outcome = await runScenario({ file, scenario, ...(seed !== undefined ? { seed } : {}), reportsDir: resolve(values.reports ?? DEFAULT_OUTPUT_DIR), log, signal: abort.signal });
    process.stdout.write(`\n${renderConsoleTable(outcome.report)}\n`);
    process.stdout.write(`report: ${outcome.runDir}\n`);
    return outcome.exitCode;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** The images the given scenarios' topologies need (files, folders or globs; each file loaded and validated first). */
async function scenarioImages(patterns: string[]): Promise<ImageSpec[]> {
  const nodes = [];
  for (const file of await expandScenarioPaths(patterns, process.cwd())) nodes.push(...(await loadScenarioFile(file)).topology.nodes);
  const images = imagesForNodes(nodes);
  return images.filter((spec, i) => images.findIndex((other) => other.tag === spec.tag) === i);
}

async function doctor(): Promise<number> {
  const lines = await doctorReport([...toolImages]);
  for (const line of lines) process.stdout.write(`${line.present ? "ok     " : "MISSING"}  ${line.step.padEnd(14)} ${line.detail}\n`);
  const missing = lines.filter((l) => !l.present).length;
  process.stdout.write(missing === 0 ? "everything is present\n" : `${missing} missing: run \`havoc setup\` (or npm test / npm run demo, which set up what they need)\n`);
  return ExitCode.pass;
}

function printUsage(code: number, problem?: string): number {
  if (problem) process.stderr.write(`havoc: ${problem}\n`);
  process.stderr.write(`${usage}\n`);
  return code;
}

function reportError(error: unknown): number {
  if (error instanceof HavocError) {
    process.stderr.write(`havoc: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    return error.exitCode;
  }
  if ((error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) return printUsage(ExitCode.invalidInput, errorMessage(error));
  process.stderr.write(`havoc: internal error: ${errorMessage(error)}\n`);
  if (process.env.HAVOC_DEBUG) process.stderr.write(`${(error as Error).stack ?? ""}\n`);
  return ExitCode.environment;
}
