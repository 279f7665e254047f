import { hostname } from "node:os";
import type Dockerode from "dockerode";
import { EnvironmentError, errorMessage } from "../../core/errors.ts";
import { processAlive } from "../processes/orphan-load.ts";
import { Engines, type Engine } from "./engines.ts";
import { HOST_LABEL, PID_LABEL, RUN_LABEL } from "./labels.ts";
import { sweepOrphanDisks } from "../disks/run-disks.ts";

export interface SweepResult {
  runs: string[];
  containers: number;
  networks: number;
  volumes: number;
  /** Runs whose data volume disks (loop-mounted images, env/disks/run-disks.ts) were unmounted and deleted. */
  disks?: number;
  /** Per engine that had anything of theirs: host name -> containers, networks and volumes removed there. */
  byHost?: Record<string, { containers: number; networks: number; volumes: number }>;
}

/**
 * How long removing a network may wait for its endpoints on other hosts to go: the swarm learns that a container on
 * a worker is gone a moment after the worker removed it.
 */
const NETWORK_ENDPOINTS_DEADLINE_MS = 15_000;

/**
 * Removes every container, network and volume labelled with `runId`, on every engine of the run (containers on all of
 * them first: an overlay network cannot go while a container on any host is attached). Idempotent; gone is fine.
 */
export async function removeRunResources(runId: string, engines: Engines = Engines.localOnly()): Promise<SweepResult> {
  return removeByFilter(engines, [`${RUN_LABEL}=${runId}`], () => true);
}

/**
 * Removes what runs whose owner process is dead left behind (SIGKILLed harness, crashed CI job), on every engine
 * given (the local one and the declared hosts'; a remote engine's things carry this machine's name and the harness's
 * pid, so the same test applies). With `all`, removes every havoc resource, live owners included (`havoc clean --all`).
 */
export async function sweepOrphans(options: { all?: boolean; exceptRun?: string; engines?: Engines } = {}): Promise<SweepResult> {
  const thisHost = hostname();
  const engines = options.engines ?? Engines.localOnly();
  const result = await removeByFilter(engines, [RUN_LABEL], (labels) => {
    const run = labels[RUN_LABEL];
    if (run === options.exceptRun) return false;
    if (options.all) return true;
    if (labels[HOST_LABEL] !== thisHost) return false;
    return !processAlive(Number(labels[PID_LABEL]));
  });
  // After the containers that held them are gone: the loop-mounted disks of dead runs (owner pid in their owner.json).
  result.disks = (await sweepOrphanDisks(options)).length;
  // And the run tags their images were pinned under (env/bootstrap/pin-images.ts), now that no container uses them.
  await removeRunImageTags(engines.local.docker, new Set(result.runs));
  return result;
}

/** Removes image tags `havoc-run/<repo>:<run id>` and `havoc-run-hold/...` of the given runs; an image left with no tag goes with them. */
async function removeRunImageTags(docker: Dockerode, runs: ReadonlySet<string>): Promise<void> {
  if (runs.size === 0) return;
  const images = await docker.listImages();
  const tags = images.flatMap((image) => image.RepoTags ?? []).filter((tag) => /^havoc-run(-hold)?\//.test(tag) && runs.has(tag.slice(tag.lastIndexOf(":") + 1)));
  for (const tag of tags) await ignoreGone(docker.getImage(tag).remove());
}

/**
 * What could not be removed after two tries (an engine call refused or past its deadline): the run ends as the
 * harness's error, and the one line names the first thing left and `havoc clean` as the remedy.
 */
export class RemovalError extends EnvironmentError {
  constructor(
    readonly failures: readonly string[],
    readonly partial: SweepResult,
  ) {
    super(
      `could not remove ${failures.length === 1 ? "1 resource" : `${failures.length} resources`}: ${failures[0]}${failures.length > 1 ? ` (and ${failures.length - 1} more)` : ""}`,
      "run `havoc clean` to remove what is left (it finds it by the havoc.run label)",
    );
  }
}

async function removeByFilter(engines: Engines, labelFilter: string[], shouldRemove: (labels: Record<string, string>) => boolean): Promise<SweepResult> {
  const result: SweepResult = { runs: [], containers: 0, networks: 0, volumes: 0 };
  const byHost: NonNullable<SweepResult["byHost"]> = {};
  const runs = new Set<string>();
  // One engine call that failed or hung does not stop the rest; a second pass retries what the first could not do.
  let failures = await removePass(engines, labelFilter, shouldRemove, result, byHost, runs);
  if (failures.length > 0) failures = await removePass(engines, labelFilter, shouldRemove, result, byHost, runs);
  result.runs = [...runs];
  if (Object.keys(byHost).some((h) => h !== "local")) result.byHost = byHost;
  if (failures.length > 0) throw new RemovalError(failures, result);
  return result;
}

/** One pass over containers, then networks, then volumes; returns what failed, one line each. */
async function removePass(
  engines: Engines,
  labelFilter: string[],
  shouldRemove: (labels: Record<string, string>) => boolean,
  result: SweepResult,
  byHost: NonNullable<SweepResult["byHost"]>,
  runs: Set<string>,
): Promise<string[]> {
  const filters = JSON.stringify({ label: labelFilter });
  const failures: string[] = [];
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await work();
    } catch (error) {
      failures.push(`${what}: ${errorMessage(error)}`);
      return undefined;
    }
  };
  const count = (engine: Engine, what: "containers" | "networks" | "volumes") => {
    result[what]++;
    (byHost[engine.name] ??= { containers: 0, networks: 0, volumes: 0 })[what]++;
  };
  const all = engines.all();
  await Promise.all(
    all.map(async (engine) => {
      const listed = await attempt(`listing containers on ${engine.name}`, () => engine.docker.listContainers({ all: true, filters }));
      const containers = (listed ?? []).filter((c) => shouldRemove(c.Labels));
      await Promise.all(
        containers.map(async (c) => {
          runs.add(c.Labels[RUN_LABEL]!);
          const name = (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, "");
          if (await attempt(`container ${name}`, () => ignoreGone(engine.docker.getContainer(c.Id).remove({ force: true, v: true })))) count(engine, "containers");
        }),
      );
    }),
  );
  // The manager first: a swarm network is removed there; a worker only shows it while one of its containers is attached.
  for (const engine of [engines.networkEngine, ...all.filter((e) => e !== engines.networkEngine)]) {
    const listed = await attempt(`listing networks on ${engine.name}`, () => engine.docker.listNetworks({ filters }));
    for (const n of (listed ?? []).filter((x) => shouldRemove(x.Labels ?? {}))) {
      runs.add(n.Labels![RUN_LABEL]!);
      if (await attempt(`network ${n.Name}`, () => removeNetwork(engine, n.Id, n.Scope === "swarm"))) count(engine, "networks");
    }
  }
  for (const engine of all) {
    const listed = await attempt(`listing volumes on ${engine.name}`, () => engine.docker.listVolumes({ filters }));
    for (const v of (listed?.Volumes ?? []).filter((x) => shouldRemove(x.Labels ?? {}))) {
      runs.add(v.Labels[RUN_LABEL]!);
      if (await attempt(`volume ${v.Name}`, () => ignoreGone(engine.docker.getVolume(v.Name).remove()))) count(engine, "volumes");
    }
  }
  return failures;
}

/**
 * Removes one network. A swarm network still held by a container just removed on another host ("has active
 * endpoints", or "in use by task": the attachment the swarm keeps for it, answered as 409) is tried again until the
 * swarm has noticed (polled against a deadline; measured: under 2 s). A worker cannot remove a swarm network (the
 * manager does): that refusal is not an error here.
 */
async function removeNetwork(engine: Engine, id: string, swarmScoped: boolean): Promise<boolean> {
  if (!swarmScoped) return ignoreGone(engine.docker.getNetwork(id).remove());
  const deadline = Date.now() + NETWORK_ENDPOINTS_DEADLINE_MS;
  for (;;) {
    try {
      await engine.docker.getNetwork(id).remove();
      return true;
    } catch (error) {
      const message = String((error as Error).message ?? error);
      if ((error as { statusCode?: number }).statusCode === 404) return false;
      if (/not manageable|worker|not a swarm manager/i.test(message)) return false;
      if (!/active endpoints|in use by task/i.test(message) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
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
