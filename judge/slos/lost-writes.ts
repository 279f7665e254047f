import type { History } from "../../core/history.ts";
import type { SloResult } from "../../core/verdict.ts";
import { checkWriteSets } from "../data-loss.ts";
import { formatSeconds } from "../../core/duration.ts";
import { formatCount } from "../../core/format.ts";
import { resolveWindow } from "./window.ts";
import { z } from "zod";
import { sloBase } from "./slo-fields.ts";
import type { SloKind } from "../slo-kind.ts";

/** Writes the system acknowledged that are missing when read back afterwards. */
export const LostWritesSlo = z.object({ kind: z.literal("lost-writes"), ...sloBase, atMost: z.number().int().min(0).default(0) }).strict();
export type LostWritesSloSpec = z.infer<typeof LostWritesSlo>;

/** How many lost ids the one-line why names; report.json carries up to 20. */
const IDS_IN_WHY = 5;

/**
 * Acknowledged writes missing from the store after the run (Jepsen set checker). Unknown-outcome writes
 * are never counted as lost: the system never promised them. Cannot judge (unknown) when the store could
 * not be read back or nothing was acknowledged.
 */
export function checkLostWrites(slo: LostWritesSloSpec, history: History): SloResult {
  const run = resolveWindow({ kind: "run" }, history);
  const base = { id: slo.id, kind: slo.kind, target: `<= ${slo.atMost} lost`, unit: "writes", window: run.window };
  const sets = history.writes[slo.traffic];
  if (!sets) return { ...base, verdict: "unknown", observed: null, why: `no write ledger for ${slo.traffic}; lost writes cannot be judged` };
  const counts = checkWriteSets(sets);
  const read = sets.readback;
  if (counts.lost === null) {
    const tried = read ? ` (${read.what} on ${read.node ?? "no node"}: ${read.attempts} attempt(s) over ${formatSeconds(read.elapsedMs)}, retried for ${formatSeconds(read.retryForMs)}: ${read.why ?? "no answer"})` : "";
    return { ...base, verdict: "unknown", observed: null, why: `could not reach the store of ${slo.traffic}${tried}; lost writes cannot be judged` };
  }
  // The store answered but no longer holds what it did (missing table, key space or database): the worst loss there is.
  const storeLost = read?.outcome === "store-lost" ? `the store lost what it held (${read.what} on ${read.node ?? "?"}: ${read.why ?? "no data"}); ` : "";
  if (counts.acknowledged === 0) return { ...base, verdict: "unknown", observed: counts.lost, why: `no acknowledged writes to check for ${slo.traffic}` };
  // Refused-yet-stored is not a loss, but worth one clause when it happens: a retrying client would duplicate it.
  const failedStored = counts.failedStored ? `, ${formatCount(counts.failedStored)} failed but stored` : "";
  const tally =
    `${formatCount(counts.acknowledged)} acknowledged, ${formatCount(counts.unknown)} unknown ` +
    `(${formatCount(counts.recovered ?? 0)} recovered)${failedStored}, ${formatCount(counts.unexpected ?? 0)} unexpected`;
  if (counts.lost > slo.atMost) {
    const shown = counts.lostSample.slice(0, IDS_IN_WHY).join(", ");
    const more = counts.lost > IDS_IN_WHY ? ", ..." : "";
    return {
      ...base,
      verdict: "fail",
      observed: counts.lost,
      why: `${storeLost}${slo.traffic} lost ${formatCount(counts.lost)} acknowledged writes > ${slo.atMost} allowed (${shown}${more}); ${tally}`,
    };
  }
  return { ...base, verdict: "pass", observed: counts.lost, why: `${slo.traffic} lost ${formatCount(counts.lost)} acknowledged writes <= ${slo.atMost} allowed; ${tally}` };
}

export const lostWritesKind: SloKind<LostWritesSloSpec> = {
  kind: "lost-writes",
  schema: LostWritesSlo,
  validate(slo, view, report, path) {
    if (view.readbacks && !view.readbacks.some((r) => r.traffic === slo.traffic)) report([...path, "traffic"], `lost-writes needs a readback for traffic "${slo.traffic}" (add one to readback)`);
  },
  judge: (slo, history) => checkLostWrites(slo, history),
};
