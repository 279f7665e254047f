import { z } from "zod";
import { scheduled } from "./scheduled.ts";

/**
 * Moves one node's wall clock (CLOCK_REALTIME as its processes see it) by `offsetMs`, leaving the host alone.
 * Mechanism: libfaketime preloaded in the target image (build it FROM havoc/faketime:dev, see
 * env/images/faketime/README.md); the fault writes the offset into the file named by the container's
 * FAKETIME_TIMESTAMP_FILE, read on every clock call (FAKETIME_NO_CACHE=1). Statically linked programs (Go
 * binaries) and the kernel (file times, TLS in the kernel) are not affected. Heal writes "+0".
 */
export const ClockSkewFault = z
  .object({
    kind: z.literal("clock-skew"),
    ...scheduled,
    /** Offset in ms, negative = behind the host. Applied with 1 ms resolution. */
    offsetMs: z.number().int().min(-10 * 365 * 86_400_000).max(10 * 365 * 86_400_000),
  })
  .strict();

/** Clock faults, as members of the FaultSpec union (see core/fault-spec.ts). */
export const clockFaults = [ClockSkewFault] as const;
