import { randomBytes } from "node:crypto";
import type Dockerode from "dockerode";
import { dockerClient } from "../env/docker/client.ts";
import { runLabels } from "../env/docker/labels.ts";
import type { FaultContext } from "./fault.ts";

/** Label on every fault sidecar: the id of the fault it belongs to. */
export const SIDECAR_LABEL = "havoc.sidecar";
/** Label on every fault sidecar: the node it works on. */
export const SIDECAR_TARGET_LABEL = "havoc.sidecar-target";
/** Image of the resource-fault sidecars (env/images/stress). */
export const STRESS_IMAGE = "havoc/stress:dev";

/** What the resource faults need from `docker info`; asked once per process (a call takes ~2 s here). */
export interface EngineFacts {
  cgroupDriver: string;
  cgroupVersion: string;
  cpus: number;
  memoryBytes: number;
}

/** Per engine: hosts of one run may differ in cgroup driver, cores and memory. */
const engineFacts = new WeakMap<Dockerode, Promise<EngineFacts>>();

export function engineInfo(docker: Dockerode = dockerClient()): Promise<EngineFacts> {
  let facts = engineFacts.get(docker);
  if (!facts) {
    facts = docker.info().then((info: { CgroupDriver?: string; CgroupVersion?: string; NCPU?: number; MemTotal?: number }) => ({
      cgroupDriver: info.CgroupDriver ?? "?",
      cgroupVersion: info.CgroupVersion ?? "1",
      cpus: info.NCPU ?? 1,
      memoryBytes: info.MemTotal ?? 0,
    }));
    engineFacts.set(docker, facts);
    facts.catch(() => engineFacts.delete(docker));
  }
  return facts;
}

/**
 * The cgroup parent that puts a sidecar INSIDE the target's cgroup, as a child cgroup, or undefined where that
 * cannot work. Measured here (cgroup v1, cgroupfs driver): a container created with
 * CgroupParent=/docker/<target id> gets /docker/<target id>/<sidecar id> in every hierarchy; v1 accounting and
 * limits are hierarchical (memory.use_hierarchy=1), so the sidecar's CPU and memory count against the target's
 * limits and show in the target's `docker stats` (cpu-stress 1 worker: target 0% -> 94%; memory-stress 64 MiB:
 * target +70 MiB). Not possible with the systemd driver (parents must be slices) nor on cgroup v2 (a cgroup with
 * processes cannot have controller-enabled children): there the sidecar runs beside the target and the note says so.
 */
export async function cgroupInsideTarget(target: Dockerode.ContainerInspectInfo, docker: Dockerode = dockerClient()): Promise<{ parent: string | undefined; note: string }> {
  const { cgroupDriver: driver, cgroupVersion: version } = await engineInfo(docker);
  if (driver === "cgroupfs" && version === "1") {
    const parent = `${target.HostConfig.CgroupParent || "/docker"}/${target.Id}`;
    return { parent, note: `sidecar cgroup nested in the target's (${parent}): its load counts against the target's limits` };
  }
  return { parent: undefined, note: `engine uses cgroup ${driver} v${version}: the sidecar cannot nest in the target's cgroup, its load does NOT count against the target's limits` };
}

export interface SidecarOptions {
  faultId: string;
  target: string;
  /** Command (after the image's entrypoint, stress-ng, unless `entrypoint` is set). */
  command: string[];
  entrypoint?: string[];
  capAdd?: string[];
  tmpfs?: Record<string, string>;
}

/**
 * Starts a sidecar in the target's PID and network namespaces and (where possible) in its cgroup, labelled with
 * the run id and the fault id so teardown and sweeps remove it. Returns the container and how it was placed.
 */
export async function startSidecar(ctx: FaultContext, options: SidecarOptions): Promise<{ container: Dockerode.Container; note: string }> {
  const target = await ctx.topology.container(options.target).inspect();
  // On the target's own engine: namespaces and cgroups are shared only within one host.
  const docker = ctx.topology.engineOf(options.target).docker;
  const cgroup = await cgroupInsideTarget(target, docker);
  const name = `${ctx.topology.node(options.target).containerName}-${options.faultId}-${randomBytes(2).toString("hex")}`.slice(0, 120);
  const container = await docker.createContainer({
    name,
    Image: STRESS_IMAGE,
    Cmd: options.command,
    ...(options.entrypoint ? { Entrypoint: options.entrypoint } : {}),
    Labels: runLabels(ctx.topology.runId, { [SIDECAR_LABEL]: options.faultId, [SIDECAR_TARGET_LABEL]: options.target }),
    HostConfig: {
      PidMode: `container:${target.Id}`,
      NetworkMode: `container:${target.Id}`,
      ...(cgroup.parent ? { CgroupParent: cgroup.parent } : {}),
      ...(options.capAdd ? { CapAdd: options.capAdd } : {}),
      ...(options.tmpfs ? { Tmpfs: options.tmpfs } : {}),
      AutoRemove: false,
    },
  });
  try {
    await container.start();
  } catch (error) {
    await container.remove({ force: true }).catch(() => undefined);
    throw error;
  }
  return { container, note: cgroup.note };
}

/** Removes a sidecar; already gone is fine. Returns true once Docker no longer knows it. */
export async function removeSidecar(container: Dockerode.Container): Promise<void> {
  try {
    await container.remove({ force: true, v: true });
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404 && status !== 409) throw error;
  }
  // 409 = removal already in progress: wait until it is gone.
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      await container.inspect();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 404) return;
      throw error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sidecar ${container.id} still exists 10 s after its removal`);
}

/** The subset of Docker's stats answer used here (cgroup v1 and v2 field names). */
interface Stats {
  /** When the daemon sampled, RFC 3339 with ns. */
  read?: string;
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
}

/** One-shot stats (no 1 s wait for a second sample). */
async function oneShotStats(container: Dockerode.Container): Promise<Stats> {
  const stats = container.stats as unknown as (options: Record<string, unknown>) => Promise<Stats>;
  return stats.call(container, { stream: false, "one-shot": true });
}

/**
 * Cores the container's cgroup (children included) used over about `windowMs`, from two one-shot stats and the
 * daemon's own sample times (`read`): a stats call takes 60-850 ms here depending on host load, so host-side
 * timing would be off.
 */
export async function measureCores(container: Dockerode.Container, windowMs: number): Promise<number> {
  const first = await oneShotStats(container);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const second = await oneShotStats(container);
  const hostElapsedMs = performance.now() - t0;
  const sampled = first.read && second.read ? Date.parse(second.read) - Date.parse(first.read) : Number.NaN;
  const elapsedNs = (Number.isFinite(sampled) && sampled > 0 ? sampled : hostElapsedMs) * 1e6;
  const used = (second.cpu_stats?.cpu_usage?.total_usage ?? 0) - (first.cpu_stats?.cpu_usage?.total_usage ?? 0);
  return Math.max(0, used / elapsedNs);
}

/** Memory in use as `docker stats` shows it (usage minus inactive file cache), MiB; `raw`: the cgroup's usage. */
export async function memoryUsageMb(container: Dockerode.Container, raw = false): Promise<number> {
  const m = (await oneShotStats(container)).memory_stats ?? {};
  const inactive = raw ? 0 : (m.stats?.total_inactive_file ?? m.stats?.inactive_file ?? 0);
  return Math.max(0, (m.usage ?? 0) - inactive) / 1024 / 1024;
}

/** The fault's id for labels and names: the spec's id, else its kind. */
export function sidecarFaultId(spec: { id?: string | undefined; kind: string }): string {
  return spec.id ?? spec.kind;
}
