import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import Dockerode from "dockerode";
import { boundEngineCalls } from "./engine-calls.ts";
import { z } from "zod";
import { InputError, errorMessage } from "../../core/errors.ts";
import { LOCAL_HOST, type Hosts } from "../../core/hosts.ts";
import { describeEndpoint, dockerOptions, engineEndpoint, urlHost, type EngineEndpoint } from "./engine-connection.ts";
import { Engines, localEngine, type Engine } from "./engines.ts";

/** How long a declared engine has to answer /_ping and /info. */
export const ENGINE_ANSWER_DEADLINE_MS = 5_000;

/** The part of GET /info this needs (an engine's answer is external input). */
const EngineInfo = z.object({
  Swarm: z
    .object({ LocalNodeState: z.string().optional(), NodeID: z.string().optional(), NodeAddr: z.string().optional(), ControlAvailable: z.boolean().optional() })
    .default({}),
});
type EngineInfo = z.infer<typeof EngineInfo>;

const SwarmNodes = z.array(z.object({ ID: z.string(), Status: z.object({ State: z.string().optional(), Addr: z.string().optional() }).partial().optional() }));

export interface ConnectEnginesOptions {
  hosts: Hosts;
  /** Hosts the run's nodes and generators are placed on ("local" included when used). */
  used: ReadonlySet<string>;
  /** Whether they span more than one engine (core/hosts.ts spansHosts): then every used engine must be in one swarm. */
  spansHosts: boolean;
  timeoutMs?: number;
}

/**
 * A client for every declared host, each checked before anything starts: it answers; when the run spans engines,
 * every engine it uses is a member of one swarm with a manager among them (the run's overlay networks are created
 * there). Refusals are InputErrors naming `hosts.<name>` and the engine; nothing was started.
 */
export async function connectEngines(options: ConnectEnginesOptions): Promise<Engines> {
  const timeoutMs = options.timeoutMs ?? ENGINE_ANSWER_DEADLINE_MS;
  const declared = await Promise.all(Object.entries(options.hosts).map(async ([name, spec]) => {
    const endpoint = at(name, () => engineEndpoint(spec));
    // Bounded like the local engine's calls (engine-calls.ts): a host that hangs ends the run, never stalls it.
    const docker = boundEngineCalls(new Dockerode(dockerOptions(endpoint)));
    const info = await answer(name, endpoint, docker, timeoutMs);
    const address = spec.address ?? (await hostAddress(name, endpoint, info));
    const engine: Engine = { name, local: false, docker, address, bindIp: spec.bindIp ?? address, describe: describeEndpoint(endpoint) };
    return { engine, info };
  }));
  const local = localEngine();
  // A run on one engine keeps bridge networks there, on whichever host that is.
  if (!options.spansHosts) return new Engines([local, ...declared.map((d) => d.engine)], false, [...options.used][0] ?? LOCAL_HOST);
  const localInfo = options.used.has(LOCAL_HOST) ? EngineInfo.parse(await local.docker.info()) : undefined;
  const members = [...(localInfo ? [{ engine: local, info: localInfo }] : []), ...declared.filter((d) => options.used.has(d.engine.name))];
  const manager = await checkSwarm(members);
  return new Engines([local, ...declared.map((d) => d.engine)], true, manager.name);
}

/** Runs `fn`, prefixing an InputError's message with the host's field. */
function at<T>(name: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof InputError) throw new InputError(`hosts.${name}: ${error.message}`, error.hint, { cause: error });
    throw error;
  }
}

/** /_ping then /info within the deadline, or an InputError saying the engine does not answer. */
async function answer(name: string, endpoint: EngineEndpoint, docker: Dockerode, timeoutMs: number): Promise<EngineInfo> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    // @types/dockerode omits the options of ping and info; dockerode passes abortSignal through to the request.
    const ping = docker.ping as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping.call(docker, { abortSignal: abort.signal });
    const info = docker.info as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    return EngineInfo.parse(await info.call(docker, { abortSignal: abort.signal }));
  } catch (error) {
    const why = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : errorMessage(error).split("\n")[0];
    throw new InputError(`hosts.${name}: engine ${describeEndpoint(endpoint)} does not answer (${why})`, `start that engine or fix hosts.${name}.docker; nothing was started`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/** The URL's host when it is an address (a name resolved once), else the host's swarm address. */
async function hostAddress(name: string, endpoint: EngineEndpoint, info: EngineInfo): Promise<string> {
  const host = urlHost(endpoint);
  if (host && isIP(host)) return host;
  if (host && host !== "localhost") {
    try {
      return (await lookup(host)).address;
    } catch (error) {
      throw new InputError(`hosts.${name}: cannot resolve ${host}: ${errorMessage(error)}`, `give hosts.${name}.address`);
    }
  }
  const swarmAddress = info.Swarm.NodeAddr;
  if (swarmAddress && isIP(swarmAddress)) return swarmAddress;
  throw new InputError(`hosts.${name}: cannot tell where its published ports are reached (engine ${describeEndpoint(endpoint)} is not a tcp:// or ssh:// address and not in a swarm)`, `give hosts.${name}.address`);
}

/**
 * Every member is in a swarm, a manager is among them, and the manager lists each member as one of its nodes (not
 * down). Returns the manager, where the run's overlay networks are created.
 */
async function checkSwarm(members: readonly { engine: Engine; info: EngineInfo }[]): Promise<Engine> {
  const field = (e: Engine) => (e.local ? `the local engine (${e.describe})` : `hosts.${e.name}`);
  for (const { engine, info } of members)
    if (info.Swarm.LocalNodeState !== "active")
      throw new InputError(
        `${field(engine)}: engine is not a member of a swarm (state "${info.Swarm.LocalNodeState ?? "unknown"}"); a run across hosts joins its nodes with swarm overlay networks`,
        "`docker swarm init --advertise-addr <address>` on one host, `docker swarm join --token <token> <manager>:2377` on the others; nothing was started",
      );
  const manager = members.find((m) => m.engine.local && m.info.Swarm.ControlAvailable) ?? members.find((m) => m.info.Swarm.ControlAvailable);
  if (!manager)
    throw new InputError(
      `none of the run's engines (${members.map((m) => m.engine.name).join(", ")}) is a swarm manager: the run's overlay networks are created on a manager`,
      "place a node on a manager's host, or promote one of these engines (`docker node promote`); nothing was started",
    );
  const nodes = SwarmNodes.parse(await manager.engine.docker.listNodes());
  const byId = new Map(nodes.map((n) => [n.ID, n]));
  for (const { engine, info } of members) {
    const node = byId.get(info.Swarm.NodeID ?? "");
    if (!node)
      throw new InputError(`${field(engine)}: engine is in another swarm than ${field(manager.engine)} (node ${info.Swarm.NodeID} is not among its ${nodes.length} nodes)`, "join every engine of the run to one swarm; nothing was started");
    if (node.Status?.State === "down") throw new InputError(`${field(engine)}: the swarm lists this engine's node as down`, "check the engine's swarm connection (ports 2377, 7946, 4789 between the hosts); nothing was started");
  }
  return manager.engine;
}
