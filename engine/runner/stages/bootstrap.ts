import { withDeadline } from "../../../core/deadline.ts";
import { stageDeadlinesMs } from "../../../core/stage-deadlines.ts";
import { ensureEnvironment } from "../../../env/bootstrap/ensure-environment.ts";
import { pinImages } from "../../../env/bootstrap/pin-images.ts";
import { RemovalError, sweepOrphans, type SweepResult } from "../../../env/docker/sweep.ts";
import { imagesForNodes } from "../../../env/images/images.ts";
import { k6Image } from "../../../env/images/k6/images.ts";
import { killOrphanLoad } from "../../../env/processes/orphan-load.ts";
import { copyImagesToHosts } from "../host-images.ts";
import { assertImagesPresent } from "../preflight.ts";
import type { RunState } from "../run-state.ts";

/**
 * Stage "bootstrap": the engine, tools and images the scenario needs (idempotent, seconds when present), its images
 * pinned by run tag, and what dead runs left behind swept.
 */
export async function bootstrap(run: RunState): Promise<void> {
  const { scenario, log } = run;
  run.setPhase("bootstrap");
  // The k6 image only for a run whose classes have generators (it holds a 70 MB binary to hash and copy).
  const images = [...imagesForNodes(scenario.topology.nodes), ...((run.placement?.generators.size ?? 0) > 0 ? [k6Image] : [])];
  await withDeadline(
    "bootstrap",
    stageDeadlinesMs.bootstrap,
    ensureEnvironment({ docker: true, baseImage: true, k6: true, toxiproxy: true, chromium: true /* browser traffic and the timeline PNG */, netTools: true, porcupine: true, lazyfs: true, images }, log),
  );
  await assertImagesPresent(scenario, run.file);
  // Nodes start from run tags of this checkout's builds: another checkout on the same engine may re-tag `:dev`.
  run.pinned = await pinImages(images.filter((spec) => scenario.topology.nodes.some((n) => n.image === spec.tag)), run.runId, log);
  // On every declared host too: a SIGKILLed run's nodes there carry this machine's name and the dead harness's pid.
  const swept = await sweepDeadRuns(run);
  if (swept.runs.length > 0) log.info(`swept leftovers of dead runs ${swept.runs.join(", ")}: ${swept.containers} container(s), ${swept.networks} network(s)${swept.byHost ? ` (${Object.entries(swept.byHost).map(([h, c]) => `${h}: ${c.containers}/${c.networks}`).join(", ")})` : ""}`);
  const orphanLoad = await killOrphanLoad();
  if (orphanLoad.length > 0) log.info(`stopped k6 processes left by dead runs ${orphanLoad.join(", ")}`);
  // The remote hosts get what they lack of this run's images (docker save here | docker load there).
  await copyImagesToHosts(run);
  run.throwIfAborted();
}

/**
 * The start-of-run sweep. What a dead run left and cannot be removed now (a network another run's container still
 * holds, one engine call refused twice) is that run's leftover, not this run's fault: it is named with the remedy and
 * this run goes on. Seen live: a leftover network "has active endpoints" voided an unrelated run at bootstrap.
 */
async function sweepDeadRuns(run: RunState): Promise<SweepResult> {
  try {
    return await sweepOrphans({ exceptRun: run.runId, engines: run.engines });
  } catch (error) {
    if (!(error instanceof RemovalError)) throw error;
    run.log.warn(`leftovers of dead runs stay for now: ${error.message}; ${error.hint ?? "run `havoc clean`"}`);
    return error.partial;
  }
}
