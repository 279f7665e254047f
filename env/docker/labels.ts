import { hostname } from "node:os";

/** Every container, network and volume a run creates carries these labels, so a sweep can find leftovers. */
export const RUN_LABEL = "havoc.run";
export const PID_LABEL = "havoc.pid";
export const HOST_LABEL = "havoc.host";
export const NODE_LABEL = "havoc.node";

export function runLabels(runId: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [RUN_LABEL]: runId, [PID_LABEL]: String(process.pid), [HOST_LABEL]: hostname(), ...extra };
}
