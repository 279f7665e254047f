import { z } from "zod";
import type { SloKind } from "./slo-kind.ts";
import { AvailabilitySlo, availabilityKind } from "./slos/availability.ts";
import { BankSlo, bankKind } from "./slos/bank.ts";
import { ConsistencySlo, consistencyKind } from "./slos/consistency.ts";
import { ConvergenceSlo, convergenceKind } from "./slos/convergence.ts";
import { DroppedIterationsSlo, droppedIterationsKind } from "./slos/dropped-iterations.ts";
import { LatencySlo, latencyKind } from "./slos/latency.ts";
import { LinearizableSlo, linearizableKind } from "./slos/linearizable.ts";
import { LongestOutageSlo, longestOutageKind } from "./slos/longest-outage.ts";
import { LostWritesSlo, lostWritesKind } from "./slos/lost-writes.ts";
import { RecoveryPointSlo, recoveryPointKind } from "./slos/recovery-point.ts";
import { RecoveryTimeSlo, recoveryTimeKind } from "./slos/recovery-time.ts";
import { StaleReadsSlo, staleReadsKind } from "./slos/stale-reads.ts";

export { SloWindow } from "./slos/slo-fields.ts";

/**
 * Every SLO kind a scenario may name, by its `kind`. A kind is one file of judge/slos/ exporting its schema and an
 * SloKind; adding one is that file plus a line in each list below (docs/ARCHITECTURE.md, "Adding an SLO kind").
 */
export const SloSpec = z.discriminatedUnion("kind", [AvailabilitySlo, LostWritesSlo, LongestOutageSlo, RecoveryTimeSlo, LatencySlo, StaleReadsSlo, DroppedIterationsSlo, ConvergenceSlo, ConsistencySlo, LinearizableSlo, BankSlo, RecoveryPointSlo]);
export type SloSpec = z.infer<typeof SloSpec>;
export type SloSpecInput = z.input<typeof SloSpec>;

const kinds: { [K in SloSpec["kind"]]: SloKind<Extract<SloSpec, { kind: K }>> } = {
  availability: availabilityKind,
  "lost-writes": lostWritesKind,
  "longest-outage": longestOutageKind,
  "recovery-time": recoveryTimeKind,
  latency: latencyKind,
  "stale-reads": staleReadsKind,
  "dropped-iterations": droppedIterationsKind,
  convergence: convergenceKind,
  consistency: consistencyKind,
  linearizable: linearizableKind,
  bank: bankKind,
  "recovery-point": recoveryPointKind,
};

/** The kind of an SLO (its schema, validation and judge). */
export function sloKind(slo: SloSpec): SloKind<SloSpec> {
  return kinds[slo.kind] as unknown as SloKind<SloSpec>;
}
