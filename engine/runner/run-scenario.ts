import { createWriteStream } from "node:fs";
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { RunClock } from "../../core/clock.ts";
import { withDeadline } from "../../core/deadline.ts";
import { ExitCode, errorMessage } from "../../core/errors.ts";
import { stageDeadlinesMs } from "../../core/stage-deadlines.ts";
import type { History, ReadbackRecord, ReplicaRead, TimelineBucket, WriteSets } from "../../core/history.ts";
import { readbackFrom, type Readback } from "../../env/readback/registry.ts";
import type { Logger } from "../../core/log.ts";
import { randomSeed } from "../../core/rng.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import type { SloResult } from "../../core/verdict.ts";
import { ensureEnvironment } from "../../env/bootstrap/ensure-environment.ts";
import { k6Path } from "../../env/bootstrap/go-tools.ts";
import { pinImages, type PinnedImages } from "../../env/bootstrap/pin-images.ts";
import { ContainerEventWatcher } from "../../env/docker/container-events.ts";
import { sweepOrphans } from "../../env/docker/sweep.ts";
import { killOrphanLoad } from "../../env/processes/orphan-load.ts";
import { ProbeSampler } from "../../env/probes/probe-sampler.ts";
import { readBack, readConvergence } from "../../env/readback/read-back.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { imagesForNodes } from "../../env/images/images.ts";
import { startTopology } from "../../env/topology/start-topology.ts";
import type { StartedTopology } from "../../env/topology/started-topology.ts";
import { buildReport } from "../../judge/build-report.ts";
import type { RunReport, RunStatus } from "../../judge/report-schema.ts";
import { evaluateSlos } from "../../judge/evaluate.ts";
import { writeReports } from "../../reports/write-reports.ts";
import type { K6Result } from "../../load/k6-process.ts";
import { ControlMonitor, type ControlLoss } from "./control-monitor.ts";
import { EventLog } from "./event-log.ts";
import { proveReadback } from "./readback-proof.ts";
import { FaultSchedule, type GateResult } from "./fault-schedule.ts";
import { judgeGate } from "./gate.ts";
import { makePlan, type Plan } from "../../scenario/plan.ts";
import { assertImagesPresent } from "./preflight.ts";
import { newRunId } from "./run-id.ts";
import { SafetyMonitor } from "./safety-monitor.ts";
import { startStatusTicker } from "./status-line.ts";
import { writeTimelinePng } from "./timeline-png.ts";
import { prepareTraffic, startTraffic, type TrafficRun } from "../../load/start-traffic.ts";
import { chromiumPath } from "../../env/bootstrap/chromium.ts";

export interface RunScenarioOptions {
  file: string;
  scenario: Scenario;
  /** Overrides the scenario's seed. */
  seed?: number;
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
 * One run: bootstrap -> topology -> traffic -> fault schedule (gated) -> final heal -> readback -> checks ->
 * reports, with teardown always. Every stage's output is plain data saved in the run directory.
 */
export async function runScenario(options: RunScenarioOptions): Promise<RunOutcome> {
  const { scenario, log } = options;
  const runId = newRunId();
  const runDir = join(options.reportsDir, "runs", runId);
  await mkdir(runDir, { recursive: true });
  // The user's k6 scripts first: one that does not bundle is bad input (exit 2), refused before anything starts.
  let prepared: Map<string, string>;
  try {
    prepared = await prepareTraffic(scenario.traffic, runDir);
  } catch (error) {
    await rm(runDir, { recursive: true, force: true });
    throw error;
  }
  const clock = new RunClock();
  const secrets = new RunSecrets(scenario.secrets);
  const events = new EventLog(join(runDir, "events.ndjson"), clock, (s) => secrets.redact(s));
  const seed = options.seed ?? scenario.seed ?? randomSeed();
  const plan = makePlan(scenario, seed);
  const startedAt = new Date();
  log.info(`run ${runId}: scenario ${scenario.name}, seed ${seed}, report in ${relative(process.cwd(), runDir) || runDir}`);
  events.write({ type: "run-started", runId, scenario: scenario.name, file: options.file, seed, pid: process.pid, tags: scenario.tags, expect: scenario.expect, expectFailing: scenario.expectFailing });
  events.write({ type: "plan", faults: plan.faults.map(({ id, kind, targets, atMs, healAtMs }) => ({ id, kind, targets, atMs, healAtMs })) });

  // An object, not two lets: closures below change it and TypeScript must not narrow it to "completed".
  const outcome: { status: RunStatus; reason: string | null } = { status: "completed", reason: null };
  let phase = "setup";
  const setPhase = (next: string) => {
    phase = next;
    events.write({ type: "phase", phase });
  };
  const fail = (next: RunStatus, why: string) => {
    if (outcome.status !== "completed") return;
    outcome.status = next;
    outcome.reason = why;
    log.warn(`${next}: ${why}`);
  };
  options.signal.addEventListener("abort", () => {
    fail("aborted", `interrupted by ${String(options.signal.reason ?? "a signal")} during ${phase}`);
    events.write({ type: "abort", reason: outcome.reason ?? "aborted" });
  });

  const buckets: TimelineBucket[] = [];
  // Faults stop on a signal or on a safety stop; traffic stops only on a signal.
  const stopFaults = new AbortController();
  options.signal.addEventListener("abort", () => stopFaults.abort(options.signal.reason));
  const safety = new SafetyMonitor(scenario.safety, scenario.traffic.filter((t) => t.gate !== false).map((t) => t.name), (why) => {
    log.warn(`${why}: no further faults; healing the active ones`);
    events.write({ type: "safety-stop", reason: why });
    stopFaults.abort("safety");
  });
  // The harness's own grip on the run: engine pings, a dead load generator, a fault it could not apply or undo.
  // Once lost, nothing more is worth measuring: stop injecting and stop the traffic, then report.
  const control = new ControlMonitor(clock, (loss) => {
    events.write({ type: "control-lost", fromMs: loss.fromMs, reason: loss.reason });
    fail("error", `the experiment is void: ${loss.reason}`);
    stopFaults.abort("control-lost");
    void traffic?.stop();
  });
  const watcher = new ContainerEventWatcher(runId, (event) =>
    events.write({ type: "container", event: { atMs: clock.toRunMs(event.epochMs) ?? event.epochMs - startedAt.getTime(), node: event.node, action: event.action, ...(event.exitCode !== undefined ? { exitCode: event.exitCode } : {}) } }),
  );
  let topology: StartedTopology | undefined;
  let pinned: PinnedImages | undefined;
  let traffic: TrafficRun | undefined;
  let schedule: FaultSchedule | undefined;
  let stopTicker: (() => void) | undefined;
  let probes: ProbeSampler | undefined;
  const k6Results = new Map<string, K6Result>();
  const stored = new Map<string, ReadbackResult>();

  try {
    setPhase("bootstrap");
    const images = imagesForNodes(scenario.topology.nodes);
    await withDeadline("bootstrap", stageDeadlinesMs.bootstrap, ensureEnvironment({ docker: true, baseImage: true, k6: true, toxiproxy: true, chromium: true /* browser traffic and the timeline PNG */, netTools: true, images }, log));
    await assertImagesPresent(scenario, options.file);
    // Nodes start from run tags of this checkout's builds: another checkout on the same engine may re-tag `:dev`.
    pinned = await pinImages(images.filter((spec) => scenario.topology.nodes.some((n) => n.image === spec.tag)), runId, log);
    const swept = await sweepOrphans({ exceptRun: runId });
    if (swept.runs.length > 0) log.info(`swept leftovers of dead runs ${swept.runs.join(", ")}: ${swept.containers} container(s), ${swept.networks} network(s)`);
    const orphanLoad = await killOrphanLoad();
    if (orphanLoad.length > 0) log.info(`stopped k6 processes left by dead runs ${orphanLoad.join(", ")}`);
    throwIfAborted(options.signal);

    setPhase("starting");
    await watcher.start();
    topology = await log.step(`starting topology (${scenario.topology.nodes.length} nodes)`, () =>
      startTopology({ runId, topology: pinned!.apply(scenario.topology), secrets, log, logDir: join(runDir, "logs") }),
    );
    events.write({ type: "topology-started", nodes: Object.fromEntries([...topology.nodes].map(([n, node]) => [n, Object.fromEntries([...node.hostPorts].map(([c, h]) => [String(c), h]))])) });
    throwIfAborted(options.signal);

    setPhase("traffic");
    const k6Logs = createWriteStream(join(runDir, "k6.log"));
    traffic = startTraffic({
      classes: scenario.traffic,
      topology,
      secrets,
      clock,
      runId,
      runDir,
      ledgerPath: join(runDir, "ledger.ndjson"),
      k6Path: k6Path(),
      chromiumPath: chromiumPath(),
      prepared,
      log,
      onBucket: (bucket) => {
        buckets.push(bucket);
        events.write({ type: "timeline", bucket });
        safety.observe(bucket);
      },
      onK6Log: (traffic, line) => k6Logs.write(`[${traffic}] ${secrets.redact(line)}\n`),
      onClassFailed: (name, result) => {
        // Not one we stopped: a load generator that dies leaves the experiment without its load from then on.
        if (options.signal.aborted || control.loss || outcome.status !== "completed") return;
        control.lost(`the load generator of ${name} died (k6 exit ${result.exitCode}${result.signal ? `, ${result.signal}` : ""}; see k6.log)`, result.exitedAtEpochMs === undefined ? null : clock.toRunMs(result.exitedAtEpochMs));
      },
    });
    events.write({ type: "traffic-started", originEpochMs: clock.originEpochMs!, classes: scenario.traffic.map((t) => t.name) });
    const running = traffic;
    const startedTopology = topology;
    control.start();
    probes = new ProbeSampler(topology, scenario.topology, clock, log, (change) => {
      events.write({ type: "leader-change", change });
      log.info(`${change.probe}: ${change.leaders.length === 0 ? "no leader" : change.leaders.join(" + ")}${change.previous.length > 0 ? ` (was ${change.previous.join(" + ")})` : ""}${change.unreachable.length > 0 ? `; no answer from ${change.unreachable.join(", ")}` : ""}`);
    });
    probes.start();
    const faults = new FaultSchedule({
      plan,
      roles: scenario.topology.roles,
      ctx: { topology, clock, events: watcher, log },
      signal: stopFaults.signal,
      gate: async () => {
        const steady = judgeGate(scenario.gate, running.totals, scenario.traffic);
        if (!steady.passed) return steady;
        const proofs: GateResult[] = [];
        for (const readback of scenario.readback) {
          // Snapshot first: every id acknowledged before the read began must be in what the read returns.
          const acknowledged = running.ledger.sets(readback.traffic).acknowledged;
          proofs.push(await log.step(`proving the readback of ${readback.traffic} (${acknowledged.length} writes acknowledged so far)`, () => proveReadback(readback, acknowledged, { topology: startedTopology, roles: scenario.topology.roles, secrets })));
        }
        const failed = proofs.find((p) => !p.passed);
        return failed ?? { passed: true, detail: [steady.detail, ...proofs.map((p) => p.detail)].join("; ") };
      },
      record: (event) => events.write(event),
      onHarnessError: (message, atMs) => control.lost(message, atMs),
    });
    schedule = faults;
    stopTicker = startStatusTicker(() => ({ phase, elapsedMs: clock.nowMs() ?? 0, totals: running.totals, activeFaults: faults.activeFaults() }));
    await faults.run();
    // A safety stop ends the schedule early; heal now rather than at the end of traffic.
    if (safety.tripped) await faults.healAll();
    if (faults.gateFailure) {
      fail(faults.gateFailure.invalid ? "invalid" : "inconclusive", faults.gateFailure.detail);
      await traffic.stop();
    }
    await faults.healAll();
    if (options.signal.aborted || control.loss) await traffic.stop();
    for (const [name, result] of await traffic.done) {
      k6Results.set(name, result);
      events.write({ type: "traffic-finished", traffic: name, exitCode: result.exitCode, httpReqs: result.httpReqs ?? 0, droppedIterations: result.droppedIterations ?? 0 });
    }
    k6Logs.end();
    stopTicker();
    probes.stop();

    setPhase("readback");
    for (const readback of control.loss ? [] : scenario.readback) {
      const ctx = { topology, roles: scenario.topology.roles, secrets, log };
      const { ids, record } = await log.step(`reading back ${readback.traffic} writes (${describeFrom(readback)})`, () => readBack(readback, ctx));
      const read: ReadbackResult = { ids, record };
      if (ids !== null && readback.convergence) read.convergence = await log.step(`reading every node of ${readback.traffic} for convergence`, () => readConvergence(readback, ids, ctx));
      stored.set(readback.traffic, read);
      events.write({ type: "readback", traffic: readback.traffic, stored: ids === null ? null : ids.length, outcome: record.outcome, node: record.node, ...(record.why ? { error: record.why } : {}) });
      if (record.outcome !== "ok") log.warn(`readback of ${readback.traffic}: ${record.outcome} after ${record.attempts} attempt(s): ${record.why ?? ""}`);
    }
  } catch (error) {
    fail(options.signal.aborted ? "aborted" : "error", secrets.redact(errorMessage(error)));
  } finally {
    control.stop();
    probes?.stop();
    stopTicker?.();
    await schedule?.healAll(options.signal.aborted ? stageDeadlinesMs.healOnAbort : stageDeadlinesMs.heal).catch((e) => log.warn(`final heal: ${errorMessage(e)}`));
    await traffic?.stop();
    await traffic?.done.catch(() => undefined);
    watcher.stop();
    await withDeadline("teardown", stageDeadlinesMs.teardown, topology?.teardown() ?? Promise.resolve()).catch((e) => {
      fail("error", `teardown: ${errorMessage(e)}`);
    });
    await pinned?.release();
  }

  setPhase("checks");
  const history = buildHistory({ runId, scenario, plan, clock, buckets, watcher, schedule, traffic, stored, k6Results, startedAt, controlLost: control.loss, probes: probes?.result() });
  await writeFile(join(runDir, "history.json"), JSON.stringify(history));
  const judged = outcome.status !== "inconclusive" && outcome.status !== "invalid";
  const slos = judged ? await evaluateSlos(scenario.slos, history, { runDir }) : unjudged(scenario, outcome.reason ?? "steady-state gate failed");
  const report = buildReport({
    scenario,
    history,
    slos,
    status: outcome.status,
    reason: outcome.reason ?? safety.tripped ?? null,
    startedAt,
    finishedAt: new Date(),
    runId,
    plan: { seed, faults: plan.faults.map(({ id, kind, targets, atMs, healAtMs }) => ({ id, kind, targets, atMs, healAtMs })) },
  });
  setPhase("reporting");
  const { report: finalReport } = await writeReports(runDir, report, history, log);
  await writeTimelinePng(runDir, log);
  await pointLatest(options.reportsDir, runDir);
  const exitCode = abortExitCode(outcome.status, options.signal) ?? finalReport.exitCode;
  events.write({ type: "run-finished", status: outcome.status, verdict: finalReport.verdict, exitCode });
  events.close();
  return { runId, runDir, report: finalReport, exitCode };
}

interface ReadbackResult {
  ids: string[] | null;
  record: ReadbackRecord;
  convergence?: ReplicaRead[];
}

function describeFrom(readback: Readback): string {
  const from = readbackFrom(readback);
  return from === undefined ? "no node" : "node" in from ? `node ${from.node}` : `the primary of ${from.primaryOf}`;
}

/**
 * A run whose steady-state gate failed says nothing about the SLOs: the system was sick before any fault.
 * Every SLO is unknown (exit 4), never fail or pass (Chaos Toolkit's gate hypothesis).
 */
function unjudged(scenario: Scenario, why: string): SloResult[] {
  return scenario.slos.map((slo) => ({ id: slo.id, kind: slo.kind, verdict: "unknown", observed: null, target: "-", unit: "", window: null, why: `not judged: ${why}` }));
}

/** 130 after SIGINT, 143 after SIGTERM (128 + signal number, as shells report it). */
function abortExitCode(status: RunStatus, signal: AbortSignal): number | undefined {
  if (status !== "aborted") return undefined;
  return signal.reason === "SIGTERM" ? ExitCode.terminated : ExitCode.interrupted;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new Error(`aborted by ${String(signal.reason)}`);
}

interface HistoryParts {
  runId: string;
  scenario: Scenario;
  plan: Plan;
  clock: RunClock;
  buckets: TimelineBucket[];
  watcher: ContainerEventWatcher;
  schedule: FaultSchedule | undefined;
  traffic: TrafficRun | undefined;
  stored: Map<string, ReadbackResult>;
  k6Results: Map<string, K6Result>;
  startedAt: Date;
}

function buildHistory(p: HistoryParts & { controlLost: ControlLoss | undefined; probes: History["probes"] }): History {
  const origin = p.clock.originEpochMs ?? p.startedAt.getTime();
  const writes: Record<string, WriteSets> = {};
  for (const t of p.scenario.traffic) {
    const sets = p.traffic?.ledger.sets(t.name) ?? { acknowledged: [], unknown: [], failed: [] };
    const read = p.stored.get(t.name);
    writes[t.name] = { ...sets, stored: read?.ids ?? null, ...(read ? { readback: read.record } : {}), ...(read?.convergence ? { convergence: read.convergence } : {}) };
  }
  return {
    runId: p.runId,
    scenario: p.scenario.name,
    seed: p.plan.seed,
    trafficStartEpochMs: origin,
    trafficEndMs: p.plan.trafficEndMs,
    timeline: p.buckets,
    faults: p.schedule?.records() ?? [],
    containerEvents: p.watcher.toHistory(origin),
    writes,
    droppedIterations: Object.fromEntries(p.scenario.traffic.map((t) => [t.name, p.k6Results.get(t.name)?.droppedIterations ?? 0])),
    droppedBySecond: p.traffic?.droppedBySecond() ?? [],
    ops: p.traffic?.opTrace() ?? {},
    ...(p.controlLost ? { controlLost: p.controlLost } : {}),
    ...(p.probes ? { probes: p.probes } : {}),
  };
}

/** reports/latest -> runs/<run id> (relative, so the reports folder can be moved or archived). */
async function pointLatest(reportsDir: string, runDir: string): Promise<void> {
  const link = join(reportsDir, "latest");
  await rm(link, { force: true });
  await symlink(relative(reportsDir, runDir), link);
}
