import { z } from "zod";
import { scheduled } from "./scheduled.ts";

/**
 * CPU load inside the target: stress-ng in a sidecar that shares the target's PID and network namespaces and
 * runs in a child cgroup of the target's cgroup, so the load counts against the target's CPU limit and shows
 * in its `docker stats`. Heal removes the sidecar.
 */
export const CpuStressFault = z
  .object({
    kind: z.literal("cpu-stress"),
    ...scheduled,
    /** stress-ng CPU workers (each can busy one core). Default 1. */
    workers: z.number().int().min(1).max(64).default(1),
    /** Load of each worker, percent of one core. Default 100. */
    loadPercent: z.number().int().min(1).max(100).default(100),
  })
  .strict();

/**
 * Memory held inside the target's cgroup: stress-ng `--vm-keep` in a sidecar (as cpu-stress), so the megabytes
 * count against the target's memory limit. Heal removes the sidecar, which frees them.
 */
export const MemoryStressFault = z
  .object({
    kind: z.literal("memory-stress"),
    ...scheduled,
    /** MiB to allocate and keep touching. */
    megabytes: z.number().int().min(1).max(65_536),
  })
  .strict();

/**
 * Lowers the target's memory limit (RAM and RAM+swap) to `megabytes`. When the target uses more, it is
 * OOM-killed ("oom" and "die" events, exit 137). On cgroup v1 the kernel refuses a limit below the current
 * usage, so there the limit goes just above the usage and a sidecar in the target's cgroup fills the gap,
 * which makes the kernel OOM-kill the target's own process. Heal restores the original limit and starts the
 * target again if it died.
 */
export const MemoryLimitFault = z
  .object({
    kind: z.literal("memory-limit"),
    ...scheduled,
    /** New limit, MiB (Docker's minimum is 6). */
    megabytes: z.number().int().min(6),
  })
  .strict();

/** Resource faults, as members of the FaultSpec union (see core/fault-spec.ts). */
export const resourceFaults = [CpuStressFault, MemoryStressFault, MemoryLimitFault] as const;
