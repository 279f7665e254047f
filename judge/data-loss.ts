import type { WriteSets } from "../core/history.ts";
import type { DataLoss, DataLossCounts } from "./report-schema.ts";

/** How many lost / unexpected ids a report lists; the counts are always complete. */
export const SAMPLE_SIZE = 20;

/**
 * Jepsen set-checker arithmetic for one traffic class:
 * lost = acknowledged − stored; recovered = unknown ∩ stored; failedStored = failed ∩ stored;
 * unexpected = stored − acknowledged − unknown − failed (never sent). An id seen with several outcomes (a retry)
 * counts once, as its strongest: acknowledged, then unknown, then failed, so the classes stay disjoint.
 */
export function checkWriteSets(sets: WriteSets): DataLossCounts {
  const acknowledged = new Set(sets.acknowledged);
  const unknown = new Set(sets.unknown.filter((id) => !acknowledged.has(id)));
  const failed = new Set(sets.failed.filter((id) => !acknowledged.has(id) && !unknown.has(id)));
  if (sets.stored === null) {
    const unread = { stored: null, lost: null, recovered: null, failedStored: null, unexpected: null };
    return { acknowledged: acknowledged.size, unknown: unknown.size, ...unread, lostSample: [], unexpectedSample: [] };
  }
  const stored = new Set(sets.stored);
  const lost = [...acknowledged].filter((id) => !stored.has(id));
  const recovered = [...unknown].filter((id) => stored.has(id));
  const failedStored = [...failed].filter((id) => stored.has(id));
  const unexpected = [...stored].filter((id) => !acknowledged.has(id) && !unknown.has(id) && !failed.has(id));
  return {
    acknowledged: acknowledged.size,
    unknown: unknown.size,
    stored: stored.size,
    lost: lost.length,
    recovered: recovered.length,
    failedStored: failedStored.length,
    unexpected: unexpected.length,
    lostSample: lost.slice(0, SAMPLE_SIZE),
    unexpectedSample: unexpected.slice(0, SAMPLE_SIZE),
  };
}

/** null stays null: one unreadable store makes the total unknown rather than quietly smaller. */
function sumNullable(values: readonly (number | null)[]): number | null {
  return values.some((v) => v === null) ? null : values.reduce<number>((sum, v) => sum + (v ?? 0), 0);
}

/** A class with no write in the ledger that was not read back: a reader, or a class of a run killed before its ledger. */
function wroteNothing(sets: WriteSets): boolean {
  return sets.acknowledged.length === 0 && sets.unknown.length === 0 && sets.failed.length === 0 && sets.stored === null;
}

/**
 * Per traffic class and in total. No write ledger at all gives zeros (nothing was acknowledged). Classes that wrote
 * nothing are left out while another class has something to check (readers beside writers must not make the totals
 * unknown); when no class has anything, all stay, so a run killed before its readback reads "not measured", never 0.
 */
export function summarizeDataLoss(writes: Readonly<Record<string, WriteSets>>): DataLoss {
  const byTraffic: Record<string, DataLossCounts> = {};
  const entries = Object.entries(writes);
  const withWrites = entries.filter(([, sets]) => !wroteNothing(sets));
  for (const [traffic, sets] of withWrites.length > 0 ? withWrites : entries) byTraffic[traffic] = checkWriteSets(sets);
  const all = Object.values(byTraffic);
  return {
    acknowledged: all.reduce((sum, c) => sum + c.acknowledged, 0),
    unknown: all.reduce((sum, c) => sum + c.unknown, 0),
    stored: sumNullable(all.map((c) => c.stored)),
    lost: sumNullable(all.map((c) => c.lost)),
    recovered: sumNullable(all.map((c) => c.recovered)),
    failedStored: sumNullable(all.map((c) => c.failedStored)),
    unexpected: sumNullable(all.map((c) => c.unexpected)),
    lostSample: all.flatMap((c) => c.lostSample).slice(0, SAMPLE_SIZE),
    unexpectedSample: all.flatMap((c) => c.unexpectedSample).slice(0, SAMPLE_SIZE),
    byTraffic,
  };
}
