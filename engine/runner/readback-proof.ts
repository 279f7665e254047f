import type { Readback } from "../../env/readback/registry.ts";
import { readBack, type ReadbackContext } from "../../env/readback/read-back.ts";
import type { GateResult } from "./fault-schedule.ts";

/** How long the gate retries an unreachable store, ms: the system is meant to be healthy now. */
const GATE_RETRY_MS = 10_000;
/** Missing ids named in the message. */
const SHOWN = 5;

/**
 * Proves a readback before any fault (during the steady-state gate): it must return every write acknowledged so
 * far. A query that fails on a healthy store, or answers without those writes, is a scenario error (exit 2): no
 * run could judge data loss with it. A store that cannot be reached now is a sick baseline (exit 4).
 */
export async function proveReadback(spec: Readback, acknowledgedSoFar: readonly string[], ctx: ReadbackContext): Promise<GateResult> {
  const { ids, record } = await readBack(spec, ctx, Math.min(spec.retryFor, GATE_RETRY_MS));
  const what = `readback of ${spec.traffic} (${record.what} on ${record.node ?? "no node"})`;
  if (record.outcome === "unreachable")
    return { passed: false, detail: `${what} could not reach the store before the first fault (${record.attempts} attempt(s) over ${record.elapsedMs} ms): ${record.why ?? ""}` };
  if (record.outcome === "store-lost" || ids === null)
    return { passed: false, invalid: true, detail: `${what} fails on the healthy system before any fault: ${record.why ?? "no data"}; fix the readback query` };
  const held = new Set(ids);
  const missing = acknowledgedSoFar.filter((id) => !held.has(id));
  if (missing.length > 0) {
    const shown = missing.slice(0, SHOWN).join(", ") + (missing.length > SHOWN ? ", ..." : "");
    return {
      passed: false,
      invalid: true,
      detail: `${what} returned ${ids.length} ids but misses ${missing.length} of the ${acknowledgedSoFar.length} writes acknowledged before the first fault (${shown}); fix the readback query (it must return every id the traffic writes)`,
    };
  }
  return { passed: true, detail: `${what} returned all ${acknowledgedSoFar.length} writes acknowledged so far (${ids.length} ids in ${record.elapsedMs} ms)` };
}
