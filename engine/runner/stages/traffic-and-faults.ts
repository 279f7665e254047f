import { createWriteStream } from "node:fs";
import { ioFailureMessage } from "../../../core/io-failure.ts";
import { chromiumPath } from "../../../env/bootstrap/chromium.ts";
import { k6Path } from "../../../env/bootstrap/go-tools.ts";
import { ProbeSampler } from "../../../env/probes/probe-sampler.ts";
import { K6_IMAGE, startTraffic, type TrafficRun } from "../../../load/start-traffic.ts";
import { describeHarnessCost, startHarnessCost } from "../../../load/harness-cost.ts";
import { FaultSchedule, type GateResult } from "../fault-schedule.ts";
import { judgeGate } from "../gate.ts";
import { proveReadback } from "../readback-proof.ts";
import type { RunState } from "../run-state.ts";
import { startStatusTicker } from "../status-line.ts";

/**
 * Stage "traffic": the load starts (the run clock's origin), the system's probes are sampled, and the fault schedule
 * runs on the clock: the steady-state gate right before the first injection (a sick baseline injects nothing),
 * then inject, verify, heal; after the last heal the fault-free tail, until every class has ended.
 */
export async function trafficAndFaults(run: RunState): Promise<void> {
  const { scenario, clock, events, log, secrets, topology } = run;
  run.setPhase("traffic");
  const k6Logs = createWriteStream(run.path("k6.log"));
  // A full disk must end the run as the harness's error, not crash it with an unhandled 'error' event.
  k6Logs.on("error", (error) => run.harnessIoFailed(ioFailureMessage("write", run.path("k6.log"), error)));
  // Before the load starts, so it follows every k6 process the classes start.
  run.costMeter = startHarnessCost();
  const traffic = startTraffic({
    classes: scenario.traffic,
    topology: topology!,
    secrets,
    clock,
    runId: run.runId,
    runDir: run.runDir,
    ledgerPath: run.path("ledger.ndjson"),
    onWriteFailed: (error) => run.harnessIoFailed(ioFailureMessage("write", run.path("ledger.ndjson"), error)),
    k6Path: k6Path(),
    chromiumPath: chromiumPath(),
    prepared: run.prepared,
    log,
    onBucket: (bucket) => {
      run.buckets.push(bucket);
      events.write({ type: "timeline", bucket });
      run.safety?.observe(bucket);
      // Steps that start on a condition (a restore's `when`) watch the same seconds as the safety stops.
      run.schedule?.observe(bucket);
    },
    onK6Log: (name, line) => k6Logs.write(`[${name}] ${secrets.redact(line)}\n`),
    generatorImage: (host) => run.imageOn(host, K6_IMAGE),
    onClassFailed: (name, result) => {
      // Not one we stopped: a load generator that dies leaves the experiment without its load from then on.
      // A generator that hung (stopped, wedged): past its class's end (its safety net stopped it), or deaf to SIGTERM.
      const hung = result.killedBySafetyNet || result.ignoredStop === true;
      if (run.signal.aborted || run.control?.loss) return;
      // A gate that failed on a hung generator's silence judged the harness, not the system: the run is void, not
      // inconclusive (the campaign saw a k6 stopped before the gate turn into "steady state not reached", exit 4).
      if (hung && run.status === "inconclusive") run.fail("error", `the experiment is void: the load generator of ${name} hung, so the steady-state gate judged no load (${run.reason ?? ""})`, ["inconclusive"]);
      else if (run.status !== "completed") return;
      const how = result.killedBySafetyNet ? "hung (still running past its end, stopped by its safety net; " : hung ? "hung (deaf to SIGTERM until SIGKILL; " : "died (";
      run.control?.lost(`the load generator of ${name} ${how}k6 exit ${result.exitCode}${result.signal ? `, ${result.signal}` : ""}; see k6.log)`, result.exitedAtEpochMs === undefined ? null : clock.toRunMs(result.exitedAtEpochMs));
    },
  });
  run.traffic = traffic;
  events.write({ type: "traffic-started", originEpochMs: clock.originEpochMs!, classes: scenario.traffic.map((t) => t.name) });
  run.control?.start();
  run.probes = new ProbeSampler(topology!, scenario.topology, clock, log, (change) => {
    events.write({ type: "leader-change", change });
    log.info(`${change.probe}: ${change.leaders.length === 0 ? "no leader" : change.leaders.join(" + ")}${change.previous.length > 0 ? ` (was ${change.previous.join(" + ")})` : ""}${change.unreachable.length > 0 ? `; no answer from ${change.unreachable.join(", ")}` : ""}`);
  }, (message) => run.control?.lost(`${message} (stage traffic)`));
  run.probes.start();
  const faults = new FaultSchedule({
    plan: run.plan,
    roles: scenario.topology.roles,
    ctx: { topology: topology!, clock, events: run.watcher!, log, backups: scenario.topology.backups },
    signal: run.stopFaults.signal,
    gate: () => steadyStateGate(run, traffic),
    record: (event) => events.write(event),
    // An engine call that failed or hung names the stage too (the one line says where as well as what).
    onHarnessError: (message, atMs) => run.control?.lost(/the Docker engine/.test(message) ? `${message} (stage ${run.phase})` : message, atMs),
    gatedClasses: scenario.traffic.filter((t) => t.gate !== false).map((t) => t.name),
  });
  // The seconds closed before the schedule existed count toward its conditions too.
  for (const bucket of run.buckets) faults.observe(bucket);
  run.schedule = faults;
  run.stopTicker = startStatusTicker(() => ({ phase: run.phase, elapsedMs: clock.nowMs() ?? 0, totals: traffic.totals, activeFaults: faults.activeFaults() }));
  await faults.run();
  // A safety stop ends the schedule early; heal now rather than at the end of traffic.
  if (run.safety?.tripped) await faults.healAll();
  if (faults.gateFailure) {
    run.fail(faults.gateFailure.invalid ? "invalid" : "inconclusive", faults.gateFailure.detail);
    await traffic.stop();
  }
  await faults.healAll();
  if (run.signal.aborted || run.control?.loss) await traffic.stop();
  for (const [name, result] of await traffic.done) {
    run.k6Results.set(name, result);
    const generators = result.processes.filter((p) => p.generator !== undefined);
    events.write({
      type: "traffic-finished",
      traffic: name,
      exitCode: result.exitCode,
      httpReqs: result.httpReqs ?? 0,
      droppedIterations: result.droppedIterations ?? 0,
      ...(generators.length > 0
        ? { generators: generators.map((p) => ({ name: p.generator!, exitCode: p.exitCode, httpReqs: p.httpReqs, iterations: p.iterations, droppedIterations: p.droppedIterations, opLines: p.opLines })) }
        : {}),
    });
  }
  k6Logs.end();
  run.harnessCost = run.costMeter.stop();
  log.info(describeHarnessCost(run.harnessCost));
  if (run.harnessCost.warning) log.warn(run.harnessCost.warning);
  run.stopTicker();
  run.probes.stop();
}

/**
 * The steady state before the first fault: every gated class healthy, and every readback proven to return what was
 * acknowledged so far (a readback that cannot is a scenario error, exit 2).
 */
async function steadyStateGate(run: RunState, traffic: TrafficRun): Promise<GateResult> {
  const { scenario, log } = run;
  const steady = judgeGate(scenario.gate, traffic.totals, scenario.traffic);
  if (!steady.passed) return steady;
  const proofs: GateResult[] = [];
  for (const readback of scenario.readback) {
    // Snapshot first: every id acknowledged before the read began must be in what the read returns.
    const acknowledged = traffic.ledger.sets(readback.traffic).acknowledged;
    proofs.push(
      await log.step(`proving the readback of ${readback.traffic} (${acknowledged.length} writes acknowledged so far)`, () =>
        proveReadback(readback, acknowledged, { topology: run.topology!, roles: scenario.topology.roles, secrets: run.secrets }),
      ),
    );
  }
  const failed = proofs.find((p) => !p.passed);
  return failed ?? { passed: true, detail: [steady.detail, ...proofs.map((p) => p.detail)].join("; ") };
}
