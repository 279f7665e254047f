import type { FaultImpls } from "./fault.ts";
import { networkBandwidth } from "./network-bandwidth.ts";
import { networkIsolate } from "./network-isolate.ts";
import { networkLatency } from "./network-latency.ts";
import { networkLoss } from "./network-loss.ts";
import { networkPartition } from "./network-partition.ts";
import { networkZoneCut } from "./network-zone-cut.ts";

/** Network faults, applied in the targets' network namespaces from the host or by sidecars (see faults/network/). */
export const networkFaultImpls: FaultImpls<"isolate" | "partition" | "zone-cut" | "packet-loss" | "bandwidth" | "latency"> = {
  isolate: networkIsolate,
  partition: networkPartition,
  "zone-cut": networkZoneCut,
  "packet-loss": networkLoss,
  bandwidth: networkBandwidth,
  latency: networkLatency,
};
