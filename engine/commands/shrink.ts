import { existsSync } from "node:fs";
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { formatDuration } from "../../core/duration.ts";
import { ExitCode, InputError } from "../../core/errors.ts";
import { log } from "../../core/log.ts";
import { DEFAULT_OUTPUT_DIR } from "../../core/output-dir.ts";
import type { FaultSpec } from "../../faults/registry.ts";
import { RunReport, type ReportPlan } from "../../judge/report-schema.ts";
import { loadScenarioFile } from "../../scenario/load-scenario.ts";
import { makePlan, type Plan } from "../../scenario/plan.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { executedPlanOf, startLines } from "../explore/executed-plan.ts";
import { formatShrinkLog, type ShrinkResult, type ShrinkStep } from "../explore/shrink-log.ts";
import { shrink } from "../explore/shrink.ts";
import type { ShrinkPlan } from "../explore/shrink-plan.ts";
import { sloSignature } from "../explore/signature.ts";
import { newRunId } from "../runner/run-id.ts";
import { runScenario } from "../runner/run-scenario.ts";
import { shownPath } from "./explore.ts";
import { interruptedExitCode, onInterrupt } from "./interrupts.ts";
import { enableTypeScriptImports } from "./typescript-imports.ts";

export interface ShrinkCommandOptions {
  repeats?: number | undefined;
  /** Failing runs of `repeats` a candidate needs to count as still failing (default 1). */
  minFailures?: number | undefined;
  budgetMs?: number | undefined;
  scenarioFile?: string | undefined;
  reportsDir?: string | undefined;
  hosts?: Record<string, { docker: string }>;
}

export const DEFAULT_SHRINK_BUDGET_MS = 30 * 60_000;

/** The failing run: its report and the scenario file it recorded. Refuses (exit 2) a directory without a run, or a run that did not fail. */
export async function readFailingRun(runDir: string): Promise<{ report: RunReport; file: string | undefined }> {
  const reportPath = join(runDir, "report.json");
  if (!existsSync(runDir)) throw new InputError(`${runDir} does not exist`, "give a run directory: havoc-results/runs/<run id> (explore prints the first failing run of each signature)");
  if (!existsSync(reportPath)) throw new InputError(`${runDir} has no report.json: not a finished run (expected havoc-results/runs/<run id>)`);
  let report: RunReport;
  try {
    report = RunReport.parse(JSON.parse(await readFile(reportPath, "utf8")));
  } catch (error) {
    throw new InputError(`${reportPath} is not a run report: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`);
  }
  if (report.verdict !== "fail") {
    const why = report.verdict === "pass" ? "it passed" : `its verdict is ${report.verdict}${report.reason ? ` (${report.reason})` : ""}`;
    throw new InputError(`run ${report.runId} of ${report.scenario} did not fail: ${why}; shrink needs a run whose SLOs failed`);
  }
  return { report, file: await recordedScenarioFile(runDir) };
}

async function recordedScenarioFile(runDir: string): Promise<string | undefined> {
  const path = join(runDir, "events.ndjson");
  if (!existsSync(path)) return undefined;
  for (const line of (await readFile(path, "utf8")).split("\n")) {
    if (!line.includes('"run-started"')) continue;
    try {
      const event = JSON.parse(line) as { type?: string; file?: unknown };
      if (event.type === "run-started" && typeof event.file === "string") return event.file;
    } catch {
      // A torn line: keep looking.
    }
  }
  return undefined;
}

/**
 * Why this scenario is not the version that ran: another name, or a plan the run's seed no longer draws from it
 * (another fault, target or time). undefined when it is the same.
 */
export function versionMismatch(scenario: Pick<Scenario, "name">, plan: Pick<Plan, "faults">, report: Pick<RunReport, "scenario" | "plan">): string | undefined {
  if (scenario.name !== report.scenario) return `the run is of scenario "${report.scenario}", the file is "${scenario.name}"`;
  const show = (f: { id: string; kind: string; targets: string[]; atMs: number; healAtMs: number | null }) => `${f.id} ${f.kind} [${f.targets.join(",")}] ${f.atMs}-${f.healAtMs ?? "end"} ms`;
  const ran = report.plan.faults.map(show);
  const now = plan.faults.map(show);
  if (ran.length !== now.length) return `seed ${report.plan.seed} now draws ${now.length} fault(s) where the run had ${ran.length}`;
  const i = ran.findIndex((line, k) => line !== now[k]);
  if (i >= 0) return `seed ${report.plan.seed} now draws "${now[i]}" where the run had "${ran[i]}"`;
  return undefined;
}

/** The run's plan as the shrinker changes it: explicit targets and times, each fault's own fields carried along. */
export function shrinkPlanOf(plan: Plan): ShrinkPlan {
  return { faults: plan.faults.map((f) => ({ id: f.id, kind: f.kind, targets: [...f.targets], atMs: f.atMs, healAtMs: f.healAtMs, template: f.spec })) };
}

/** A candidate as the runner runs it: exactly these faults, targets and times. */
export function planOf(candidate: ShrinkPlan, seed: number, trafficEndMs: number): Plan {
  return {
    seed,
    trafficEndMs,
    faults: candidate.faults.map((f) => {
      const spec = { ...(f.template as FaultSpec), id: f.id, at: f.atMs, for: f.healAtMs - f.atMs } as FaultSpec;
      return { id: f.id, kind: spec.kind, targets: [...f.targets], atMs: f.atMs, healAtMs: f.healAtMs, spec };
    }),
  };
}

/** The fault as a scenario writes it: its own fields, explicit targets (`names`) and times with units. */
function explicitFault(f: ShrinkPlan["faults"][number]): Record<string, unknown> {
  const { id: _id, at: _at, for: _for, target, ...rest } = f.template as FaultSpec & Record<string, unknown>;
  // A link fault acts on its link; its target only names what sits behind it, so it stays as written.
  const keepTarget = "link" in rest;
  return { id: f.id, ...rest, target: keepTarget ? target : { names: f.targets }, at: formatDuration(f.atMs), for: formatDuration(f.healAtMs - f.atMs) };
}

/** minimal.ts: the original scenario with this explicit plan instead of its faults and generators; runnable by itself. */
export function minimalScenarioSource(options: { scenarioFile: string; outDir: string; name: string; seed: number; plan: ShrinkPlan; header: string[]; tailMs?: number | undefined }): string {
  let from = relative(options.outDir, resolve(options.scenarioFile)).split("\\").join("/");
  if (!from.startsWith(".")) from = `./${from}`;
  const faults = options.plan.faults.map((f) => `    ${JSON.stringify(explicitFault(f))},`).join("\n");
  return [
    ...options.header.map((line) => `// ${line}`),
    `import base from ${JSON.stringify(from)};`,
    "",
    "// The scenario as it ran, with the generated schedule replaced by the minimal explicit plan.",
    "const { faultGenerator: _generator, randomFaults: _random, ...scenario } = base as Record<string, unknown>;",
    "",
    "export default {",
    "  ...scenario,",
    `  name: ${JSON.stringify(`${options.name}-shrunk`)},`,
    `  seed: ${options.seed},`,
    ...(options.tailMs !== undefined
      ? ["  // The run executed heals inside the scenario's fault-free tail (late steps on a loaded host): a shorter tail lets them stand.", `  tail: ${JSON.stringify(formatDuration(options.tailMs))},`]
      : []),
    "  faults: [",
    faults,
    "  ],",
    "};",
    "",
  ].join("\n");
}

function stepLine(step: ShrinkStep): string {
  const verdict = step.accepted ? "still fails" : "passes";
  return `#${step.index} ${step.move} ${step.failures}/${step.runs}${step.cutShort ? " (cut short)" : ""} ${verdict}: ${step.description} -> ${step.candidate}`;
}

/**
 * The fault-free tail a plan needs to load as a scenario: the scenario's own, or shorter when a heal runs into it
 * (executed times drift past the planned ones). undefined when the scenario's tail holds it.
 */
export function tailFor(plan: ShrinkPlan, trafficEndMs: number, tailMs: number): number | undefined {
  const lastHealMs = Math.max(0, ...plan.faults.map((f) => f.healAtMs));
  return lastHealMs <= trafficEndMs - tailMs ? undefined : Math.max(0, trafficEndMs - lastHealMs);
}

/** `havoc shrink <run dir>`: refuses what cannot be shrunk before anything starts, then shrinks live. */
export async function shrinkRunDir(runDir: string, options: ShrinkCommandOptions): Promise<number> {
  const repeats = options.repeats ?? 3;
  const minFailures = options.minFailures ?? 1;
  if (minFailures > repeats) throw new InputError(`--min-failures ${minFailures} is more than --repeats ${repeats}: no candidate could ever count as failing`, `give --min-failures from 1 to ${repeats}, or more --repeats`);
  const { report, file: recorded } = await readFailingRun(runDir);
  const file = options.scenarioFile ?? recorded;
  if (file === undefined) throw new InputError(`${runDir}: events.ndjson does not say which scenario file ran`, "give it: --scenario FILE");
  if (!existsSync(file)) throw new InputError(`the run's scenario file ${file} does not exist (from ${process.cwd()})`, "run shrink from where the run was started, or give --scenario FILE");
  await enableTypeScriptImports();
  const scenario = await loadScenarioFile(file, { ...(options.hosts ? { hosts: options.hosts } : {}) });
  const original = makePlan(scenario, report.seed);
  const mismatch = versionMismatch(scenario, original, report);
  if (mismatch) throw new InputError(`${runDir} ran another version of the scenario: ${mismatch}`, "shrink the run with the scenario file as it was (git stash or checkout), or explore the new version again");

  const reportsDir = resolve(options.reportsDir ?? DEFAULT_OUTPUT_DIR);
  const outDir = join(reportsDir, "shrinks", `${newRunId()}-${report.runId}`);
  await mkdir(outDir, { recursive: true });
  const logPath = join(outDir, "shrink.log");
  const target = sloSignature(report.slos.filter((s) => s.verdict === "fail").map((s) => s.id));
  const budgetMs = options.budgetMs ?? DEFAULT_SHRINK_BUDGET_MS;
  const rule = `${repeats} run(s) per candidate, still failing at ${minFailures} of ${repeats}`;
  // What failed is the schedule as executed, which drifts from the plan on a loaded host: start from that.
  const executed = executedPlanOf(shrinkPlanOf(original), report.faults, original.trafficEndMs);
  const timesLines = startLines(executed);
  await writeFile(logPath, [`shrink of run ${report.runId} (${scenario.name}, seed ${report.seed}): target ${target}, ${rule}, budget ${formatDuration(budgetMs)}`, ...timesLines, ""].join("\n"));
  log.info(`shrink: ${original.faults.length} faults, target "${target}", ${rule}, budget ${formatDuration(budgetMs)}; log in ${shownPath(outDir)}`);
  for (const line of timesLines) log.info(`shrink: ${line.trim()}`);

  const abort = new AbortController();
  const release = onInterrupt(abort, log, "writing the best plan so far");
  let result: ShrinkResult;
  try {
    result = await shrink({
      plan: executed.plan,
      targetSignature: target,
      repeats,
      minFailures,
      budget: { ms: budgetMs },
      signal: abort.signal,
      earliestMs: scenario.faultGenerator?.phases.quietStartMs ?? Math.min(...original.faults.map((f) => f.atMs)),
      runCandidate: async (candidate, attempt) => {
        log.info(`shrink: run ${attempt + 1}: ${candidate.faults.length} fault(s)`);
        const outcome = await runScenario({ file, scenario, plan: planOf(candidate, report.seed, original.trafficEndMs), reportsDir, log, signal: abort.signal });
        const failed = outcome.report.verdict === "fail";
        await appendFile(logPath, `  run ${attempt + 1}: ${outcome.report.verdict} ${shownPath(outcome.runDir)}\n`);
        return { failed, signature: sloSignature(outcome.report.slos.filter((s) => s.verdict === "fail").map((s) => s.id)) };
      },
      onStep: (step) => {
        const line = stepLine(step);
        process.stdout.write(`shrink: ${line}\n`);
        void appendFile(logPath, `${line}\n`);
      },
    });
  } finally {
    release();
  }

  const minimalPath = join(outDir, "minimal.ts");
  const replay = `havoc run ${shownPath(minimalPath)}`;
  const header = [
    `Written by \`havoc shrink\` from run ${report.runId} of ${scenario.name} (seed ${report.seed}), failing ${target}.`,
    `${result.complete ? "1-minimal" : "best so far (not minimal)"}: ${result.original.faults.length} -> ${result.plan.faults.length} faults in ${result.runs} runs.`,
    `Shrunk from the times run ${report.runId} executed (${executed.drifts.length} fault(s) off plan${executed.fallbacks.length > 0 ? `; planned times kept where the report had none: ${executed.fallbacks.length}` : ""}), see shrink.log.`,
    `Replay: ${replay}`,
  ];
  await writeFile(minimalPath, minimalScenarioSource({ scenarioFile: file, outDir, name: scenario.name, seed: report.seed, plan: result.plan, header, tailMs: tailFor(result.plan, original.trafficEndMs, scenario.tail) }));
  const text = `${formatShrinkLog(result)}\n\n  replay: ${replay}\n`;
  await appendFile(logPath, `\n${text}`);
  await writeFile(join(outDir, "shrink.json"), `${JSON.stringify({ runId: report.runId, scenario: scenario.name, file, seed: report.seed, repeats, minFailures, budgetMs, times: { from: "executed", drifts: executed.drifts, fallbacks: executed.fallbacks }, ...result }, null, 2)}\n`);
  process.stdout.write(`\n${text}shrink: ${shownPath(outDir)} (minimal.ts, shrink.log, shrink.json)\n`);
  if (abort.signal.aborted) return interruptedExitCode(abort.signal);
  if (!result.reproduced) return ExitCode.inconclusive;
  return result.complete ? ExitCode.pass : ExitCode.sloFailed;
}

