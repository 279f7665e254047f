import { withDeadline } from "../../../core/deadline.ts";
import { errorMessage } from "../../../core/errors.ts";
import { stageDeadlinesMs } from "../../../core/stage-deadlines.ts";
import type { RunState } from "../run-state.ts";

/**
 * Always, whatever ended the run: faults healed (a shorter deadline after a signal), traffic stopped, the topology
 * and pinned images removed. Each step runs even when an earlier one failed; a teardown that fails is an error.
 */
export async function teardown(run: RunState): Promise<void> {
  const { log } = run;
  run.control?.stop();
  run.probes?.stop();
  run.stopTicker?.();
  run.costMeter?.stop();
  await run.schedule?.healAll(run.signal.aborted ? stageDeadlinesMs.healOnAbort : stageDeadlinesMs.heal).catch((e) => log.warn(`final heal: ${errorMessage(e)}`));
  await run.traffic?.stop();
  await run.traffic?.done.catch(() => undefined);
  run.watcher?.stop();
  await withDeadline("teardown", stageDeadlinesMs.teardown, run.topology?.teardown() ?? Promise.resolve()).catch((e) => run.fail("error", `teardown: ${errorMessage(e)}`));
  await run.pinned?.release();
}
