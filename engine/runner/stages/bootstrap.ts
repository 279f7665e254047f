import { withDeadline } from "../../../core/deadline.ts";
import { stageDeadlinesMs } from "../../../core/stage-deadlines.ts";
import { ensureEnvironment } from "../../../env/bootstrap/ensure-environment.ts";
import { pinImages } from "../../../env/bootstrap/pin-images.ts";
import { sweepOrphans } from "../../../env/docker/sweep.ts";
import { imagesForNodes } from "../../../env/images/images.ts";
import { killOrphanLoad } from "../../../env/processes/orphan-load.ts";
import { assertImagesPresent } from "../preflight.ts";
import type { RunState } from "../run-state.ts";

/**
 * Stage "bootstrap": the engine, tools and images the scenario needs (idempotent, seconds when present), its images
 * pinned by run tag, and what dead runs left behind swept.
 */
export async function bootstrap(run: RunState): Promise<void> {
  const { scenario, log } = run;
  run.setPhase("bootstrap");
  const images = imagesForNodes(scenario.topology.nodes);
  await withDeadline(
    "bootstrap",
    stageDeadlinesMs.bootstrap,
    ensureEnvironment({ docker: true, baseImage: true, k6: true, toxiproxy: true, chromium: true /* browser traffic and the timeline PNG */, netTools: true, porcupine: true, lazyfs: true, images }, log),
  );
  await assertImagesPresent(scenario, run.file);
  // Nodes start from run tags of this checkout's builds: another checkout on the same engine may re-tag `:dev`.
  run.pinned = await pinImages(images.filter((spec) => scenario.topology.nodes.some((n) => n.image === spec.tag)), run.runId, log);
  const swept = await sweepOrphans({ exceptRun: run.runId });
  if (swept.runs.length > 0) log.info(`swept leftovers of dead runs ${swept.runs.join(", ")}: ${swept.containers} container(s), ${swept.networks} network(s)`);
  const orphanLoad = await killOrphanLoad();
  if (orphanLoad.length > 0) log.info(`stopped k6 processes left by dead runs ${orphanLoad.join(", ")}`);
  run.throwIfAborted();
}
