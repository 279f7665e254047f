import { z } from "zod";
import { ClockSkewFault, clockSkew } from "./clock-skew.ts";
import { DiskFillFault, diskFill } from "./disk-fill.ts";
import type { FaultContext, FaultHandle, FaultKind } from "./fault.ts";
import { LinkDownFault, linkDown } from "./link-down.ts";
import { PowerLossFault, powerLoss } from "./power-loss.ts";
import { IoErrorFault, ioError } from "./io-error.ts";
import { IoLatencyFault, ioLatency } from "./io-latency.ts";
import { RestoreStep, restore } from "./restore.ts";
import { StorageDestroyFault, storageDestroy } from "./storage-destroy.ts";
import { LinkToxicFault, linkToxic } from "./link-toxic.ts";
import { BandwidthFault, networkBandwidth } from "./network-bandwidth.ts";
import { IsolateFault, networkIsolate } from "./network-isolate.ts";
import { LatencyFault, networkLatency } from "./network-latency.ts";
import { PacketLossFault, networkLoss } from "./network-loss.ts";
import { PartitionFault, networkPartition } from "./network-partition.ts";
import { ZoneCutFault, networkZoneCut } from "./network-zone-cut.ts";
import { CrashLoopFault, processCrashLoop } from "./process-crash-loop.ts";
import { KillFault, processKill } from "./process-kill.ts";
import { PauseFault, processPause } from "./process-pause.ts";
import { RestartFault, processRestart } from "./process-restart.ts";
import { StopFault, processStop } from "./process-stop.ts";
import { MemoryLimitFault, memoryLimit } from "./resource-memory-limit.ts";
import { CpuStressFault, MemoryStressFault, cpuStress, memoryStress } from "./resource-stress.ts";

/**
 * Every fault a scenario may schedule, keyed on `kind`. A kind is one file of faults/ exporting its schema and a
 * FaultKind; adding one is that file plus a line in each list below (docs/ARCHITECTURE.md, "Adding a fault kind").
 */
export const FaultSpec = z.discriminatedUnion("kind", [
  KillFault, StopFault, PauseFault, RestartFault, CrashLoopFault,
  IsolateFault, PartitionFault, ZoneCutFault, PacketLossFault, BandwidthFault, LatencyFault,
  LinkToxicFault, LinkDownFault,
  DiskFillFault, PowerLossFault, StorageDestroyFault, IoErrorFault, IoLatencyFault,
  RestoreStep,
  CpuStressFault, MemoryStressFault, MemoryLimitFault,
  ClockSkewFault,
]);
export type FaultSpec = z.infer<typeof FaultSpec>;
export type FaultSpecInput = z.input<typeof FaultSpec>;
export type FaultKindName = FaultSpec["kind"];

/** The type makes a kind in the FaultSpec union without an implementation a compile error. */
const kinds: { [K in FaultSpec["kind"]]: FaultKind<Extract<FaultSpec, { kind: K }>> } = {
  kill: processKill,
  stop: processStop,
  pause: processPause,
  restart: processRestart,
  "crash-loop": processCrashLoop,
  isolate: networkIsolate,
  partition: networkPartition,
  "zone-cut": networkZoneCut,
  "packet-loss": networkLoss,
  bandwidth: networkBandwidth,
  latency: networkLatency,
  "link-toxic": linkToxic,
  "link-down": linkDown,
  "disk-fill": diskFill,
  "power-loss": powerLoss,
  "io-error": ioError,
  "io-latency": ioLatency,
  "storage-destroy": storageDestroy,
  restore,
  "cpu-stress": cpuStress,
  "memory-stress": memoryStress,
  "memory-limit": memoryLimit,
  "clock-skew": clockSkew,
};

/** The sidecar images the faults of these kinds start beside their targets (each once). */
export function sidecarImagesOf(kinds: Iterable<string>): string[] {
  return [...new Set([...kinds].flatMap((k) => (kindNamed(k)?.sidecarImages ?? []) as readonly string[]))];
}

function kindNamed(kind: string): FaultKind<FaultSpec> | undefined {
  return (kinds as Record<string, FaultKind<FaultSpec>>)[kind];
}

/** The kind of a fault (its schema, checks, effect and injection). */
export function faultKind(spec: FaultSpec): FaultKind<FaultSpec> {
  return kinds[spec.kind] as unknown as FaultKind<FaultSpec>;
}

export function injectFault(ctx: FaultContext, spec: FaultSpec, targets: readonly string[]): Promise<FaultHandle> {
  return faultKind(spec).inject(ctx, spec, targets);
}

/** Fault id as reports and SLO windows name it: its `id`, else "<kind>-<index in faults>". */
export function faultId(fault: Pick<FaultSpec, "id" | "kind">, index: number): string {
  return fault.id ?? `${fault.kind}-${index}`;
}
