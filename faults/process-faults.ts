import type { FaultImpls } from "./fault.ts";
import { processKill } from "./process-kill.ts";
import { processPause } from "./process-pause.ts";
import { processStop } from "./process-stop.ts";

export const processFaultImpls: FaultImpls<"kill" | "stop" | "pause"> = { kill: processKill, stop: processStop, pause: processPause };
