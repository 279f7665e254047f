import type { Scenario } from "../../scenario/scenario.ts";
import type { GateResult } from "./fault-schedule.ts";
import type { ClassTotals } from "../../load/start-traffic.ts";

/**
 * Steady state: every gated traffic class has enough requests and successes before the first fault.
 * Classes with `gate: false` (an abusive client, expected to be refused) are left out.
 */
export function judgeGate(gate: Scenario["gate"], totals: ReadonlyMap<string, ClassTotals>, classes: Scenario["traffic"]): GateResult {
  const problems: string[] = [];
  const seen: string[] = [];
  for (const [name, t] of totals) {
    if (classes.find((c) => c.name === name)?.gate === false) continue;
    const percent = t.requests > 0 ? (100 * t.ok) / t.requests : 0;
    seen.push(`${name} ${percent.toFixed(2)}% of ${t.requests}`);
    if (t.requests < gate.minRequests) problems.push(`${name}: ${t.requests} requests < ${gate.minRequests}`);
    else if (percent < gate.minSuccessPercent) problems.push(`${name}: ${percent.toFixed(2)}% success < ${gate.minSuccessPercent}%`);
  }
  return problems.length > 0
    ? { passed: false, detail: `steady state not reached before the first fault: ${problems.join("; ")}` }
    : { passed: true, detail: `steady state ok: ${seen.join(", ")}` };
}
