import { readBack, readConvergence } from "../../../env/readback/read-back.ts";
import { readbackFrom, type Readback } from "../../../env/readback/registry.ts";
import type { ReadbackResult, RunState } from "../run-state.ts";

/**
 * Stage "readback": after the fault-free tail, every store read back (and every node of a convergence set), to
 * compare with what the system acknowledged. Skipped when the harness lost its grip (nothing is worth judging).
 */
export async function readback(run: RunState): Promise<void> {
  const { scenario, log, events } = run;
  run.setPhase("readback");
  for (const spec of run.control?.loss ? [] : scenario.readback) {
    const ctx = { topology: run.topology!, roles: scenario.topology.roles, secrets: run.secrets, log };
    const { ids, record } = await log.step(`reading back ${spec.traffic} writes (${describeFrom(spec)})`, () => readBack(spec, ctx));
    const read: ReadbackResult = { ids, record };
    if (ids !== null && spec.convergence) read.convergence = await log.step(`reading every node of ${spec.traffic} for convergence`, () => readConvergence(spec, ids, ctx));
    run.stored.set(spec.traffic, read);
    events.write({ type: "readback", traffic: spec.traffic, stored: ids === null ? null : ids.length, outcome: record.outcome, node: record.node, ...(record.why ? { error: record.why } : {}) });
    if (record.outcome !== "ok") log.warn(`readback of ${spec.traffic}: ${record.outcome} after ${record.attempts} attempt(s): ${record.why ?? ""}`);
  }
}

function describeFrom(spec: Readback): string {
  const from = readbackFrom(spec);
  return from === undefined ? "no node" : "node" in from ? `node ${from.node}` : `the primary of ${from.primaryOf}`;
}
