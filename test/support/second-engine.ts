import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Dockerode from "dockerode";
import { createLogger, type Logger } from "../../core/log.ts";
import { errorMessage } from "../../core/errors.ts";
import { ensureImages } from "../../env/bootstrap/images.ts";
import { dockerClient } from "../../env/docker/client.ts";
import { processAlive } from "../../env/processes/orphan-load.ts";

/**
 * "Another machine" for tests, on this one: a second Docker engine (Debian's dockerd) in a container of this machine's
 * engine, reached at tcp://<its address>:2375 over this machine's docker0 bridge, its /var/lib/docker on a per-test
 * directory (overlay2 cannot stack on the container's own overlay). It can join a swarm with this machine's engine:
 * `docker swarm init` here (unless this engine already is in one), `docker swarm join` there. close() undoes every
 * step, in reverse, even after a failure, and a later start undoes what a killed test process left (its pid is gone).
 *
 * Measured on this machine: `--privileged` is refused (the host's capability bounding set lacks CAP_SYS_RESOURCE), so
 * the container gets every other capability, no seccomp/AppArmor profile, unmasked /proc and /sys, and the host's
 * cgroup v1 tree (the inner engine's cgroups go under their own parent, removed at close).
 */

export const SECOND_ENGINE_IMAGE = "havoc-test/second-engine:dev";
const contextDir = fileURLToPath(new URL("./second-engine/", import.meta.url));
/** Labels on the engine's container: which test engine, and which process owns it (for the stale sweep). */
const ENGINE_LABEL = "havoc.test-engine";
const OWNER_LABEL = "havoc.test-engine.pid";
const ENGINE_PORT = 2375;
const SWARM_PORT = 2377;
/** Where each engine's record lives while it exists (for the sweep of a killed test process). */
const stateDir = join(tmpdir(), "havoc-second-engines");

/** What an engine's record says, so whoever finds it stale can undo exactly what it did. */
interface EngineState {
  id: string;
  pid: number;
  container: string;
  dataDir: string;
  cgroupParent: string;
  /** This process ran `docker swarm init` on this machine's engine (and so leaves the swarm again at close). */
  createdSwarm: boolean;
  /** docker_gwbridge existed on this machine's engine before (else the swarm left it behind, and close removes it). */
  gwbridgeBefore: boolean;
  /** The second engine's swarm node id, removed from the manager at close when the swarm was already there. */
  nodeId?: string;
}

export interface SecondEngine {
  /** tcp://<address>:2375 */
  readonly url: string;
  /** The container's address on this machine's docker0: where the "remote host" publishes its ports. */
  readonly address: string;
  /** This machine's docker0 gateway: the swarm manager's address as the second engine sees it. */
  readonly gateway: string;
  readonly docker: Dockerode;
  /**
   * Makes this machine's engine a swarm manager (initialising a swarm if it is in none), without the second engine.
   * Resolves with the manager's address.
   */
  swarmHere(): Promise<string>;
  /** Joins a swarm with this machine's engine (initialising one here if this engine is in none). Idempotent. */
  joinSwarm(): Promise<void>;
  /** Undoes everything (swarm, containers, networks, cgroups, data); idempotent; throws once with every failure. */
  close(): Promise<void>;
}

/** Polls `check` every 200 ms until it resolves true or the deadline passes; throws naming `what`. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = errorMessage(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${last})` : ""}`);
}

/** Starts a second engine (its image is built once, from Debian's docker.io package). Sweeps stale ones first. */
export async function startSecondEngine(options: { log?: Logger } = {}): Promise<SecondEngine> {
  const log = options.log ?? createLogger("second-engine");
  await sweepStaleEngines(log);
  await ensureImages([{ tag: SECOND_ENGINE_IMAGE, contextDir }], log);
  const local = dockerClient();
  const id = Math.random().toString(16).slice(2, 10);
  await mkdir(stateDir, { recursive: true });
  const dataDir = await mkdtemp(join(tmpdir(), `havoc-second-engine-${id}-`));
  const state: EngineState = { id, pid: process.pid, container: `havoc-test-engine-${id}`, dataDir, cgroupParent: `/havoc-test-engine-${id}`, createdSwarm: false, gwbridgeBefore: true };
  await saveState(state);
  const engine = new RunningEngine(state, local, log);
  try {
    await engine.start();
    return engine;
  } catch (error) {
    await engine.close().catch((e: unknown) => log.warn(`cleanup after a failed start: ${errorMessage(e)}`));
    throw error;
  }
}

class RunningEngine implements SecondEngine {
  url = "";
  address = "";
  gateway = "";
  docker!: Dockerode;
  #closed: Promise<void> | undefined;

  constructor(
    private readonly state: EngineState,
    private readonly local: Dockerode,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { state, local } = this;
    await this.log.step(`starting a second Docker engine (${state.container})`, async () => {
      const container = await local.createContainer({
        name: state.container,
        Image: SECOND_ENGINE_IMAGE,
        // --tls=false: an unauthenticated TCP socket without it makes dockerd 20.10 wait 15 s on purpose.
        Cmd: ["dockerd", `--host=tcp://0.0.0.0:${ENGINE_PORT}`, "--host=unix:///var/run/docker.sock", "--tls=false", `--cgroup-parent=${state.cgroupParent}`],
        Labels: { [ENGINE_LABEL]: state.id, [OWNER_LABEL]: String(process.pid) },
        HostConfig: {
          CapAdd: ["ALL"],
          CapDrop: ["SYS_RESOURCE"],
          SecurityOpt: ["seccomp=unconfined", "apparmor=unconfined"],
          // The API form of `--security-opt systempaths=unconfined`: nothing of /proc and /sys masked or read-only.
          MaskedPaths: [],
          ReadonlyPaths: [],
          Binds: ["/sys/fs/cgroup:/sys/fs/cgroup:rw", `${state.dataDir}:/var/lib/docker`],
        },
      });
      await container.start();
      const info = await container.inspect();
      this.address = info.NetworkSettings.IPAddress;
      this.gateway = info.NetworkSettings.Gateway;
      this.url = `tcp://${this.address}:${ENGINE_PORT}`;
      this.docker = new Dockerode({ protocol: "http", host: this.address, port: ENGINE_PORT });
      await until(`second engine at ${this.url} answering`, 60_000, async () => {
        await this.docker.ping();
        return true;
      });
    });
  }

  async swarmHere(): Promise<string> {
    const { state, local } = this;
    const here = (await local.info()) as { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeAddr?: string } };
    if (here.Swarm?.LocalNodeState === "active") {
      if (!here.Swarm.ControlAvailable) throw new Error("this machine's engine is a swarm worker: join the second engine from its manager");
      return here.Swarm.NodeAddr ?? this.gateway;
    }
    state.gwbridgeBefore = (await local.listNetworks({ filters: JSON.stringify({ name: ["docker_gwbridge"] }) })).some((n) => n.Name === "docker_gwbridge");
    state.createdSwarm = true;
    await saveState(state);
    // Listening on the docker0 gateway only: the swarm is reachable from this machine's containers, nowhere else.
    await local.swarmInit({ ListenAddr: `${this.gateway}:${SWARM_PORT}`, AdvertiseAddr: this.gateway });
    return this.gateway;
  }

  async joinSwarm(): Promise<void> {
    const { state, local } = this;
    if (((await this.docker.info()) as { Swarm?: { LocalNodeState?: string } }).Swarm?.LocalNodeState === "active") return;
    await this.log.step(`joining ${this.url} to a swarm with this machine's engine`, async () => {
      const managerAddress = await this.swarmHere();
      const swarm = (await local.swarmInspect()) as { JoinTokens: { Worker: string } };
      await this.docker.swarmJoin({ RemoteAddrs: [`${managerAddress}:${SWARM_PORT}`], JoinToken: swarm.JoinTokens.Worker, ListenAddr: `0.0.0.0:${SWARM_PORT}`, AdvertiseAddr: this.address });
      const joined = (await this.docker.info()) as { Swarm?: { NodeID?: string } };
      state.nodeId = joined.Swarm?.NodeID;
      await saveState(state);
      await until("the manager listing the second engine as ready", 30_000, async () => {
        const nodes = (await local.listNodes()) as { ID: string; Status?: { State?: string } }[];
        return nodes.some((n) => n.ID === state.nodeId && n.Status?.State === "ready");
      });
    });
  }

  close(): Promise<void> {
    this.#closed ??= this.log.step(`removing the second engine ${this.state.container}`, () => undo(this.state, this.local, this.docker));
    return this.#closed;
  }
}

/**
 * Undoes what `state` records, each step on its own (a failed one does not skip the rest): the second engine leaves
 * the swarm, its container goes (with every container it ran), this engine leaves the swarm it created and the
 * docker_gwbridge network the swarm leaves behind goes, the second engine's node is removed from a swarm that was
 * already there, its cgroups and its data directory are removed, then its record.
 */
async function undo(state: EngineState, local: Dockerode, inner: Dockerode | undefined): Promise<void> {
  const failures: string[] = [];
  const step = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) return;
      failures.push(`${what}: ${errorMessage(error)}`);
    }
  };
  if (inner) await step("second engine leaves the swarm", () => inner.swarmLeave({ force: true }).catch((e: unknown) => (/not part of a swarm/i.test(errorMessage(e)) ? undefined : Promise.reject(e))));
  await step("removing the engine's container", () => local.getContainer(state.container).remove({ force: true, v: true }));
  if (state.createdSwarm) {
    await step("this engine leaves the swarm it created", () => local.swarmLeave({ force: true }).catch((e: unknown) => (/not part of a swarm/i.test(errorMessage(e)) ? undefined : Promise.reject(e))));
    if (!state.gwbridgeBefore) await step("removing docker_gwbridge", () => local.getNetwork("docker_gwbridge").remove());
  } else if (state.nodeId) {
    await step("removing the second engine's node from the swarm", () => local.getNode(state.nodeId!).remove({ force: true }));
  }
  await step("removing its cgroups", async () => removeCgroupTree(state.cgroupParent));
  await step("removing its data", () => rm(state.dataDir, { recursive: true, force: true }));
  await step("removing its record", () => rm(statePath(state.id), { force: true }));
  if (failures.length > 0) throw new Error(`second engine ${state.container}: ${failures.join("; ")}`);
}

/** Removes `parent` in every cgroup v1 hierarchy, deepest first (an empty cgroup is removed with rmdir). */
function removeCgroupTree(parent: string): void {
  const root = "/sys/fs/cgroup";
  if (!existsSync(root)) return;
  for (const hierarchy of readdirSync(root)) {
    const top = join(root, hierarchy, parent);
    if (!existsSync(top) || !statSync(top).isDirectory()) continue;
    const dirs: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) walk(join(dir, entry.name));
      dirs.push(dir);
    };
    walk(top);
    for (const dir of dirs) rmdirSync(dir);
  }
}

function statePath(id: string): string {
  return join(stateDir, `${id}.json`);
}

async function saveState(state: EngineState): Promise<void> {
  await writeFile(statePath(state.id), JSON.stringify(state));
}

/** Undoes the engines whose owning process is gone (a killed test run), from their records. */
async function sweepStaleEngines(log: Logger): Promise<void> {
  if (!existsSync(stateDir)) return;
  for (const file of readdirSync(stateDir).filter((f) => f.endsWith(".json"))) {
    let state: EngineState;
    try {
      state = JSON.parse(readFileSync(join(stateDir, file), "utf8")) as EngineState;
    } catch {
      continue;
    }
    if (processAlive(state.pid)) continue;
    log.info(`undoing the second engine ${state.container} left by process ${state.pid}`);
    await undo(state, dockerClient(), undefined).catch((error: unknown) => log.warn(errorMessage(error)));
  }
}
