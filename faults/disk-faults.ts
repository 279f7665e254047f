import { diskFill } from "./disk-fill.ts";
import type { FaultImpls } from "./fault.ts";

export const diskFaultImpls: FaultImpls<"disk-fill"> = { "disk-fill": diskFill };
