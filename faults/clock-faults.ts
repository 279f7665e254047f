import type { FaultImpls } from "./fault.ts";
import { clockSkew } from "./clock-skew.ts";

export const clockFaultImpls: FaultImpls<"clock-skew"> = { "clock-skew": clockSkew };
