import type { FaultImpls } from "./fault.ts";
import { linkDown } from "./link-down.ts";
import { linkToxic } from "./link-toxic.ts";

export const linkFaultImpls: FaultImpls<"link-toxic" | "link-down"> = { "link-toxic": linkToxic, "link-down": linkDown };
