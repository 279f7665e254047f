import { z } from "zod";
import type { Topology } from "../topology.ts";
import { scheduled } from "./scheduled.ts";

/**
 * Fills the target's data volume (core/topology.ts `dataVolume`) with a filler file until `leaveFreeBytes` remain
 * (0: completely full: writes fail with ENOSPC "No space left on device"). Heal deletes the filler. Targets must be
 * nodes with a dataVolume; the node's own container layer (the host's disk) is never filled.
 */
export const DiskFillFault = z
  .object({
    kind: z.literal("disk-fill"),
    ...scheduled,
    /** Bytes left free after the fill. Default 0 (completely full). */
    leaveFreeBytes: z.number().int().min(0).default(0),
  })
  .strict();
export type DiskFillFault = z.infer<typeof DiskFillFault>;

/** Disk faults, as members of the FaultSpec union (see core/fault-spec.ts). */
export const diskFaults = [DiskFillFault] as const;

/** Scenario-level check: the selected pool must be nodes with a dataVolume. Returns the names without one. */
export function nodesWithoutDataVolume(targets: readonly string[], topology: Pick<Topology, "nodes">): string[] {
  return targets.filter((name) => !topology.nodes.find((n) => n.name === name)?.dataVolume);
}
