import type { FaultImpls } from "./fault.ts";
import { memoryLimit } from "./resource-memory-limit.ts";
import { cpuStress, memoryStress } from "./resource-stress.ts";

export const resourceFaultImpls: FaultImpls<"cpu-stress" | "memory-stress" | "memory-limit"> = {
  "cpu-stress": cpuStress,
  "memory-stress": memoryStress,
  "memory-limit": memoryLimit,
};
