import { z } from "zod";
import { clockFaults } from "./fault-specs/clock.ts";
import { diskFaults } from "./fault-specs/disk.ts";
import { linkFaults } from "./fault-specs/link.ts";
import { networkFaults } from "./fault-specs/network.ts";
import { processFaults } from "./fault-specs/process.ts";
import { resourceFaults } from "./fault-specs/resource.ts";

export { KillFault, PauseFault, Signal, StopFault } from "./fault-specs/process.ts";

/**
 * Every fault a scenario may schedule, keyed on `kind`. Each family lives in core/fault-specs/<family>.ts
 * and its implementations in faults/.
 */
export const FaultSpec = z.discriminatedUnion("kind", [...processFaults, ...networkFaults, ...linkFaults, ...diskFaults, ...resourceFaults, ...clockFaults]);
export type FaultSpec = z.infer<typeof FaultSpec>;
export type FaultSpecInput = z.input<typeof FaultSpec>;
export type FaultKind = FaultSpec["kind"];

/** Fault id as reports and SLO windows name it: its `id`, else "<kind>-<index in faults>". */
export function faultId(fault: Pick<FaultSpec, "id" | "kind">, index: number): string {
  return fault.id ?? `${fault.kind}-${index}`;
}
