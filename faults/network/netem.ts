import { errorMessage } from "../../core/errors.ts";
import { startSidecar } from "./sidecar.ts";

export interface NetemSupport {
  available: boolean;
  /** What tc said, for notes and errors. */
  detail: string;
}

let detection: Promise<NetemSupport> | undefined;

/**
 * Does this kernel have netem? Asked once per process, in a throwaway sidecar with its own empty network
 * namespace (no target is touched), and cached. This project's machines answer "Specified qdisc kind is unknown".
 */
export function detectNetem(runId: string): Promise<NetemSupport> {
  detection ??= probe(runId).catch((error: unknown) => {
    detection = undefined;
    throw error;
  });
  return detection;
}

async function probe(runId: string): Promise<NetemSupport> {
  const sidecar = await startSidecar({ runId, faultKey: "netem-probe", node: "netem-probe", generation: Date.now() });
  try {
    const result = await sidecar.exec(["tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"]);
    const detail = result.exitCode === 0 ? "tc qdisc add ... netem: ok" : `tc qdisc add ... netem: ${result.output.trim() || `exit ${result.exitCode}`}`;
    return { available: result.exitCode === 0, detail };
  } catch (error) {
    throw new Error(`netem detection failed: ${errorMessage(error)}`, { cause: error });
  } finally {
    await sidecar.remove().catch(() => undefined);
  }
}
