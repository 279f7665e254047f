import { withDeadline } from "../../../core/deadline.ts";
import { errorMessage } from "../../../core/errors.ts";
import { stageDeadlinesMs } from "../../../core/stage-deadlines.ts";
import { removeRunResources } from "../../../env/docker/sweep.ts";
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
  // A start that failed half way tore its part down itself; the sweep by run label here catches what that left.
  const removal = run.topology ? run.topology.teardown() : removeRunResources(run.runId, run.engines).then(() => undefined);
  await withDeadline("teardown", stageDeadlinesMs.teardown, removal).catch((e) => {
    // Its own line, whatever ended the run before: what is left running, and the command that removes it.
    const line = `teardown of run ${run.runId} could not remove everything: ${errorMessage(e)}; run \`havoc clean\` to remove what is left`;
    run.log.warn(line);
    run.fail("error", line);
  });
  // Each tag's removal is bounded (engine-calls.ts), and all of them together too: an engine that hangs on every call
  // must not hold the run for a deadline per tag. A tag left behind holds an image's disk space, nothing that runs.
  if (run.pinned) await withDeadline("releasing the run's image tags", stageDeadlinesMs.teardown, run.pinned.release()).catch((e) => log.warn(errorMessage(e)));
}
