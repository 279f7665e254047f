import type { FaultImpls } from "./fault.ts";
import { processCrashLoop } from "./process-crash-loop.ts";
import { processKill } from "./process-kill.ts";
import { processPause } from "./process-pause.ts";
import { processRestart } from "./process-restart.ts";
import { processStop } from "./process-stop.ts";

export const processFaultImpls: FaultImpls<"kill" | "stop" | "pause" | "restart" | "crash-loop"> = {
  kill: processKill,
  stop: processStop,
  pause: processPause,
  restart: processRestart,
  "crash-loop": processCrashLoop,
};
