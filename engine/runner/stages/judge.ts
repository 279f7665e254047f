import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { toolBinDir } from "../../../env/paths.ts";
import { ioFailureMessage } from "../../../core/io-failure.ts";
import type { History, WriteSets } from "../../../core/history.ts";
import type { SloResult } from "../../../core/verdict.ts";
import { evaluateSlos } from "../../../judge/evaluate.ts";
import type { Scenario } from "../../../scenario/scenario.ts";
import { bankOf } from "../../../load/traffic/workload.ts";
import type { RunState } from "../run-state.ts";

/**
 * Stage "checks": everything observed becomes one History on the run clock (saved as history.json, so the SLOs can
 * be judged again from it), and every SLO is judged on it. A run whose gate failed judges nothing.
 */
export async function judge(run: RunState): Promise<{ history: History; slos: SloResult[] }> {
  run.setPhase("checks");
  const history = buildHistory(run);
  await writeFile(run.path("history.json"), JSON.stringify(history)).catch((error: unknown) => run.harnessIoFailed(ioFailureMessage("write", run.path("history.json"), error)));
  // An interrupted run did not run its plan: its windows end early and nothing in it can pass or fail.
  const judged = run.status !== "inconclusive" && run.status !== "invalid" && run.status !== "aborted";
  const ctx = {
    runDir: run.runDir,
    toolPath: (name: string) => join(toolBinDir(), name),
    bankOf(traffic: string) {
      const c = run.scenario.traffic.find((t) => t.name === traffic);
      return c?.script === "workload" && c.workload === "bank" ? bankOf(c) : undefined;
    },
  };
  const slos = judged ? await evaluateSlos(run.scenario.slos, history, ctx) : unjudged(run.scenario, run.reason ?? "steady-state gate failed");
  return { history, slos };
}

/**
 * A run whose steady-state gate failed says nothing about the SLOs: the system was sick before any fault; nor does
 * a run a signal cut short. Every SLO is unknown, never fail or pass (Chaos Toolkit's gate hypothesis).
 */
function unjudged(scenario: Scenario, why: string): SloResult[] {
  return scenario.slos.map((slo) => ({ id: slo.id, kind: slo.kind, verdict: "unknown", observed: null, target: "-", unit: "", window: null, why: `not judged: ${why}` }));
}

function buildHistory(run: RunState): History {
  const { scenario, clock, traffic } = run;
  const origin = clock.originEpochMs ?? run.startedAt.getTime();
  const writes: Record<string, WriteSets> = {};
  for (const t of scenario.traffic) {
    const sets = traffic ? { ...traffic.ledger.sets(t.name), acknowledgedAtMs: traffic.ledger.acknowledgedAtMs(t.name) } : { acknowledged: [], unknown: [], failed: [] };
    const read = run.stored.get(t.name);
    writes[t.name] = { ...sets, stored: read?.ids ?? null, ...(read ? { readback: read.record } : {}), ...(read?.convergence ? { convergence: read.convergence } : {}) };
  }
  const probes = run.probes?.result();
  return {
    runId: run.runId,
    scenario: scenario.name,
    seed: run.seed,
    trafficStartEpochMs: origin,
    // A signal ends the record where it came: windows "over the run" must not claim the part that never ran.
    trafficEndMs: run.endedEarlyAtMs === undefined ? run.plan.trafficEndMs : Math.min(run.plan.trafficEndMs, run.endedEarlyAtMs),
    timeline: run.buckets,
    faults: run.schedule?.records() ?? [],
    containerEvents: run.watcher?.toHistory(origin) ?? [],
    writes,
    droppedIterations: Object.fromEntries(scenario.traffic.map((t) => [t.name, run.k6Results.get(t.name)?.droppedIterations ?? 0])),
    droppedBySecond: traffic?.droppedBySecond() ?? [],
    ops: traffic?.opTrace() ?? {},
    ...(run.control?.loss ? { controlLost: run.control.loss } : {}),
    ...(probes ? { probes } : {}),
  };
}
