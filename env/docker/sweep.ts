import { hostname } from "node:os";
import { dockerClient } from "./client.ts";
import { processAlive } from "../processes/orphan-load.ts";
import { HOST_LABEL, PID_LABEL, RUN_LABEL } from "./labels.ts";
import { sweepOrphanDisks } from "../disks/run-disks.ts";

export interface SweepResult {
  runs: string[];
  containers: number;
  networks: number;
  volumes: number;
  /** Runs whose data volume disks (loop-mounted images, env/disks/run-disks.ts) were unmounted and deleted. */
  disks?: number;
}

/** Removes every container, network and volume labelled with `runId`. Idempotent; gone things are fine. */
export async function removeRunResources(runId: string): Promise<SweepResult> {
  return removeByFilter([`${RUN_LABEL}=${runId}`], () => true);
}

/**
 * Removes what runs whose owner process is dead left behind (SIGKILLed harness, crashed CI job).
 * With `all`, removes every havoc resource, live owners included (`havoc clean --all`).
 */
export async function sweepOrphans(options: { all?: boolean; exceptRun?: string } = {}): Promise<SweepResult> {
  const thisHost = hostname();
  const result = await removeByFilter([RUN_LABEL], (labels) => {
    const run = labels[RUN_LABEL];
    if (run === options.exceptRun) return false;
    if (options.all) return true;
    if (labels[HOST_LABEL] !== thisHost) return false;
    return !processAlive(Number(labels[PID_LABEL]));
  });
  // After the containers that held them are gone: the loop-mounted disks of dead runs (owner pid in their owner.json).
  result.disks = (await sweepOrphanDisks(options)).length;
  // And the run tags their images were pinned under (env/bootstrap/pin-images.ts), now that no container uses them.
  await removeRunImageTags(new Set(result.runs));
  return result;
}

/** Removes image tags `havoc-run/<repo>:<run id>` and `havoc-run-hold/...` of the given runs; an image left with no tag goes with them. */
async function removeRunImageTags(runs: ReadonlySet<string>): Promise<void> {
  if (runs.size === 0) return;
  const images = await dockerClient().listImages();
  const tags = images.flatMap((image) => image.RepoTags ?? []).filter((tag) => /^havoc-run(-hold)?\//.test(tag) && runs.has(tag.slice(tag.lastIndexOf(":") + 1)));
  for (const tag of tags) await ignoreGone(dockerClient().getImage(tag).remove());
}


async function removeByFilter(labelFilter: string[], shouldRemove: (labels: Record<string, string>) => boolean): Promise<SweepResult> {
  const docker = dockerClient();
  const filters = JSON.stringify({ label: labelFilter });
  const runs = new Set<string>();
  const result: SweepResult = { runs: [], containers: 0, networks: 0, volumes: 0 };

  const containers = (await docker.listContainers({ all: true, filters })).filter((c) => shouldRemove(c.Labels));
  await Promise.all(
    containers.map(async (c) => {
      runs.add(c.Labels[RUN_LABEL]!);
      if (await ignoreGone(docker.getContainer(c.Id).remove({ force: true, v: true }))) result.containers++;
    }),
  );
  const networks = (await docker.listNetworks({ filters })).filter((n) => shouldRemove(n.Labels ?? {}));
  for (const n of networks) {
    runs.add(n.Labels![RUN_LABEL]!);
    if (await ignoreGone(docker.getNetwork(n.Id).remove())) result.networks++;
  }
  const volumes = ((await docker.listVolumes({ filters })).Volumes ?? []).filter((v) => shouldRemove(v.Labels ?? {}));
  for (const v of volumes) {
    runs.add(v.Labels[RUN_LABEL]!);
    if (await ignoreGone(docker.getVolume(v.Name).remove())) result.volumes++;
  }
  result.runs = [...runs];
  return result;
}

/** true when removed, false when it was already gone (404) or being removed (409). */
async function ignoreGone(removal: Promise<unknown>): Promise<boolean> {
  try {
    await removal;
    return true;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 404 || status === 409) return false;
    throw error;
  }
}
