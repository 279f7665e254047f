import type { History } from "../../core/history.ts";
import type { SloResult } from "../../core/verdict.ts";
import { formatCount } from "../../core/format.ts";
import { secondsInWindow } from "./series.ts";
import { resolveWindow } from "./window.ts";
import { z } from "zod";
import { sloBase, runWindow } from "./slo-fields.ts";
import type { SloKind } from "../slo-kind.ts";
import { checkSloWindow } from "./window-checks.ts";

/** Reads that checked the client's own last acknowledged write and did not see it (user-sessions classes). */
export const StaleReadsSlo = z
  .object({ kind: z.literal("stale-reads"), ...sloBase, window: runWindow, atMost: z.number().int().min(0).default(0) })
  .strict();
export type StaleReadsSloSpec = z.infer<typeof StaleReadsSlo>;

/**
 * Reads that checked the client's own last acknowledged write and did not see it. Unknown when no read in the
 * window made that check (nothing was verified, so nothing passes).
 */
export function checkStaleReads(slo: StaleReadsSloSpec, history: History): SloResult {
  const base = { id: slo.id, kind: slo.kind, target: `<= ${slo.atMost} stale`, unit: "reads" };
  const resolved = resolveWindow(slo.window, history);
  if (resolved.window === null) return { ...base, verdict: "unknown", observed: null, window: null, why: `${slo.traffic} stale reads cannot be judged: ${resolved.why}` };
  const window = resolved.window;
  let checks = 0;
  let stale = 0;
  for (const s of secondsInWindow(history.timeline, slo.traffic, window)) {
    checks += s.freshnessChecks;
    stale += s.staleReads;
  }
  if (checks === 0) return { ...base, verdict: "unknown", observed: null, window, why: `no ${slo.traffic} read checked its own write ${window.label}` };
  const meets = stale <= slo.atMost;
  const why = `${slo.traffic} ${formatCount(stale)} stale of ${formatCount(checks)} read-your-writes checks ${meets ? "<=" : ">"} ${slo.atMost} allowed ${window.label}`;
  return { ...base, verdict: meets ? "pass" : "fail", observed: stale, window, why };
}

export const staleReadsKind: SloKind<StaleReadsSloSpec> = {
  kind: "stale-reads",
  schema: StaleReadsSlo,
  validate(slo, view, report, path) {
    checkSloWindow(slo, view, report, path);
    const traffic = view.trafficClass(slo.traffic);
    if (traffic && !traffic.checksReadYourWrites)
      report([...path, "traffic"], `stale-reads needs a class whose reads check read-your-writes (a k6 class with checksReadYourWrites: true); "${slo.traffic}" does not`);
  },
  judge: (slo, history) => checkStaleReads(slo, history),
};
