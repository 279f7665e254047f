import type { FaultSpec } from "../core/fault-spec.ts";
import type { FaultContext, FaultHandle, FaultImpls, FaultKindImpl } from "./fault.ts";
import { processFaultImpls } from "./process-faults.ts";
import { networkFaultImpls } from "./network-faults.ts";
import { resourceFaultImpls } from "./resource-faults.ts";
import { clockFaultImpls } from "./clock-faults.ts";
import { linkFaultImpls } from "./link-faults.ts";
import { diskFaultImpls } from "./disk-faults.ts";

/**
 * Every fault kind a scenario may name, by its `kind`. The type makes a kind in the FaultSpec union without an
 * implementation a compile error. Each family adds its map here.
 */
const impls: FaultImpls<FaultSpec["kind"]> = { ...processFaultImpls, ...networkFaultImpls, ...linkFaultImpls, ...diskFaultImpls, ...resourceFaultImpls, ...clockFaultImpls };

export function injectFault(ctx: FaultContext, spec: FaultSpec, targets: readonly string[]): Promise<FaultHandle> {
  const impl = impls[spec.kind] as FaultKindImpl<FaultSpec>;
  return impl.inject(ctx, spec, targets);
}
