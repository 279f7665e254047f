import { errorMessage } from "../core/errors.ts";
import { ignoreDockerNoop, type FaultContext } from "./fault.ts";

/**
 * Starts stopped targets again and waits for their ready probes. A target that is already running or
 * already removed is fine (heal is idempotent). A failure is noted in `notes` (it reaches the report) and rethrown.
 */
export async function restartTargets(ctx: FaultContext, targets: readonly string[], notes: string[]): Promise<void> {
  try {
    await startAndWait(ctx, targets, notes);
  } catch (error) {
    notes.push(`heal failed: ${errorMessage(error)}`);
    throw error;
  }
}

async function startAndWait(ctx: FaultContext, targets: readonly string[], notes: string[]): Promise<void> {
  await Promise.all(
    targets.map(async (target) => {
      const startedAt = Date.now();
      await ignoreDockerNoop(ctx.topology.container(target).start());
      const readyMs = await ctx.topology.waitReady(target);
      notes.push(`${target} started again, ready ${Date.now() - startedAt} ms after the start call (probe ${readyMs} ms)`);
    }),
  );
}
