import { mkdir, rm } from "node:fs/promises";
import { join, relative } from "node:path";
import { RunClock } from "../../core/clock.ts";
import { formatSeconds } from "../../core/duration.ts";
import { EnvironmentError, errorMessage } from "../../core/errors.ts";
import { ioFailureMessage } from "../../core/io-failure.ts";
import type { Logger } from "../../core/log.ts";
import { randomSeed } from "../../core/rng.ts";
import { connectEngines } from "../../env/docker/connect-engines.ts";
import { findEngineCallError } from "../../env/docker/engine-calls.ts";
import { Engines, pingEngine } from "../../env/docker/engines.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { hostPlacement } from "../../scenario/hosts-used.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { prepareTraffic } from "../../load/start-traffic.ts";
import { makePlan, type Plan } from "../../scenario/plan.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { ControlMonitor } from "./control-monitor.ts";
import { EventLog } from "./event-log.ts";
import { newRunId } from "./run-id.ts";
import { RunState } from "./run-state.ts";
import { SafetyMonitor } from "./safety-monitor.ts";
import { bootstrap } from "./stages/bootstrap.ts";
import { judge } from "./stages/judge.ts";
import { readback } from "./stages/readback.ts";
import { report } from "./stages/report.ts";
import { start } from "./stages/start.ts";
import { teardown } from "./stages/teardown.ts";
import { trafficAndFaults } from "./stages/traffic-and-faults.ts";

export interface RunScenarioOptions {
  file: string;
  scenario: Scenario;
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Runs exactly this plan (a shrunk or replayed schedule) instead of the one the seed materialises. */
  plan?: Plan;
  /** Parent of runs/ and the `latest` link. */
  reportsDir: string;
  log: Logger;
  /** Aborted by the CLI on SIGINT/SIGTERM: heal, stop traffic, tear down, report "aborted". */
  signal: AbortSignal;
}

export interface RunOutcome {
  runId: string;
  runDir: string;
  report: RunReport;
  exitCode: number;
}

/**
 * One run, as named stages (engine/runner/stages/): prepare -> bootstrap -> start -> traffic and the fault schedule
 * (gated) -> readback -> judge -> report, with teardown always, whatever ended the run. Every stage's output is
 * plain data saved in the run directory.
 */
export async function runScenario(options: RunScenarioOptions): Promise<RunOutcome> {
  const run = await prepare(options);
  try {
    await bootstrap(run);
    await start(run);
    await trafficAndFaults(run);
    await readback(run);
  } catch (error) {
    // An engine call that failed or hung names the stage it broke, so the one line says where as well as what.
    const stage = findEngineCallError(error) ? ` (stage ${run.phase})` : "";
    run.fail(options.signal.aborted ? "aborted" : "error", run.secrets.redact(errorMessage(error)) + stage);
  } finally {
    await teardown(run);
  }
  const judged = await judge(run);
  const { report: written, exitCode } = await report(run, judged, options.reportsDir);
  run.events.close();
  return { runId: run.runId, runDir: run.runDir, report: written, exitCode };
}

/**
 * Stage "prepare": the run directory, the traffic's own preparation (bundled k6 scripts, loaded journeys: one that
 * fails is bad input, exit 2, refused before anything starts), the declared hosts' engines (each must answer, and be
 * in one swarm when the run spans them: refused before anything starts otherwise), the plan, the event log, and the
 * monitors that may end the run early (a signal, a safety stop, the harness losing its grip).
 */
async function prepare(options: RunScenarioOptions): Promise<RunState> {
  const { scenario, log } = options;
  const runId = newRunId();
  const runDir = join(options.reportsDir, "runs", runId);
  await mkdir(runDir, { recursive: true }).catch((error: unknown) => {
    throw new EnvironmentError(ioFailureMessage("create the run directory", runDir, error), "free space or fix the permissions of the output folder (--reports); nothing was started");
  });
  let prepared: Map<string, string>;
  const placement = hostPlacement(scenario);
  let engines: Engines;
  try {
    prepared = await prepareTraffic(scenario.traffic, runDir);
    engines = Object.keys(scenario.hosts).length === 0 && !placement.spans ? Engines.localOnly() : await connectEngines({ hosts: scenario.hosts, used: placement.used, spansHosts: placement.spans });
  } catch (error) {
    await rm(runDir, { recursive: true, force: true });
    throw error;
  }
  if (engines.remote().length > 0)
    log.info(`hosts: ${engines.remote().map((e) => `${e.name} (${e.describe}, ports at ${e.address})`).join("; ")}; ${placement.spans ? `the run spans ${[...placement.used].join(", ")}: overlay networks created on ${engines.networkEngine.name}` : `everything on ${[...placement.used].join(", ")}`}`);
  const clock = new RunClock();
  const secrets = new RunSecrets(scenario.secrets);
  let events: EventLog;
  try {
    events = new EventLog(join(runDir, "events.ndjson"), clock, (s) => secrets.redact(s));
  } catch (error) {
    throw new EnvironmentError(ioFailureMessage("open", join(runDir, "events.ndjson"), error), "free space or fix the permissions of the output folder (--reports); nothing was started");
  }
  const plan = options.plan ?? makePlan(scenario, options.seed ?? scenario.seed ?? randomSeed());
  const stopFaults = new AbortController();
  const run = new RunState(runId, runDir, options.file, scenario, plan, clock, secrets, events, log, options.signal, stopFaults);
  run.prepared = prepared;
  run.engines = engines;
  run.placement = placement;
  log.info(`run ${runId}: scenario ${scenario.name}, seed ${plan.seed}, report in ${relative(process.cwd(), runDir) || runDir}`);
  events.write({ type: "run-started", runId, scenario: scenario.name, file: options.file, seed: plan.seed, pid: process.pid, tags: scenario.tags, expect: scenario.expect, expectFailing: scenario.expectFailing });
  events.write({ type: "plan", faults: plan.faults.map(({ id, kind, targets, atMs, healAtMs }) => ({ id, kind, targets, atMs, healAtMs })) });

  // Faults stop on a signal or on a safety stop; traffic stops only on a signal.
  events.onFailure = (message) => run.harnessIoFailed(message);
  options.signal.addEventListener("abort", () => {
    // The record ends here: windows, SLO rows and the report say so rather than judge a run that did not finish.
    const atMs = clock.nowMs();
    if (atMs !== null && run.phase === "traffic") run.endedEarlyAtMs = atMs;
    const into = atMs !== null && run.phase === "traffic" ? `, ${formatSeconds(atMs)} into traffic` : "";
    run.fail("aborted", `interrupted by ${String(options.signal.reason ?? "a signal")} during ${run.phase}${into}`);
    events.write({ type: "abort", reason: run.reason ?? "aborted" });
    stopFaults.abort(options.signal.reason);
  });
  run.safety = new SafetyMonitor(
    scenario.safety,
    scenario.traffic.filter((t) => t.gate !== false).map((t) => t.name),
    (why) => {
      log.warn(`${why}: no further faults; healing the active ones`);
      events.write({ type: "safety-stop", reason: why });
      stopFaults.abort("safety");
    },
  );
  // The harness's own grip on the run: engine pings, a dead load generator, a fault it could not apply or undo.
  // Once lost, nothing more is worth measuring: stop injecting and stop the traffic, then report.
  run.control = new ControlMonitor(
    clock,
    (loss) => {
      events.write({ type: "control-lost", fromMs: loss.fromMs, reason: loss.reason });
      run.fail("error", `the experiment is void: ${loss.reason}`);
      stopFaults.abort("control-lost");
      void run.traffic?.stop();
    },
    // Every engine the run uses: a host that stops answering takes its nodes' faults and readings with it.
    async (timeoutMs) => (await Promise.all(engines.all().map((e) => pingEngine(e, timeoutMs)))).every(Boolean),
  );
  return run;
}
