import type Dockerode from "dockerode";
import { LOCAL_HOST } from "../../core/hosts.ts";
import { dockerClient } from "./client.ts";

/** One Docker engine a run uses: this machine's own ("local") or a declared host's. */
export interface Engine {
  /** "local" or the declared host's name. */
  readonly name: string;
  readonly local: boolean;
  readonly docker: Dockerode;
  /** Where the harness reaches ports this engine publishes: 127.0.0.1 for this machine's, the host's address otherwise. */
  readonly address: string;
  /** The address published ports are bound to on that host (HostIp). */
  readonly bindIp: string;
  /** The engine as declared, without credentials, for messages. */
  readonly describe: string;
}

/** True when the engine answers /_ping within `timeoutMs`; never throws. */
export async function pingEngine(engine: Engine, timeoutMs = 2_000): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    // @types/dockerode omits ping's options, but dockerode passes abortSignal through to the request.
    const ping = engine.docker.ping as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping.call(engine.docker, { abortSignal: abort.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** This machine's engine: DOCKER_HOST or the local socket, ports published on loopback only. */
export function localEngine(): Engine {
  return { name: LOCAL_HOST, local: true, docker: dockerClient(), address: "127.0.0.1", bindIp: "127.0.0.1", describe: process.env.DOCKER_HOST || "unix:///var/run/docker.sock" };
}

/**
 * The engines of one run, by host name: one dockerode client each (each keeps its own HTTP agent). A run on one
 * engine uses bridge networks there; a run spanning engines uses attachable overlay networks of their swarm, created
 * on `networkEngine` (a manager).
 */
export class Engines {
  readonly #byName: Map<string, Engine>;

  constructor(
    engines: readonly Engine[],
    /** Whether the run's nodes and generators sit on more than one engine. */
    readonly spansHosts = false,
    networkEngine = LOCAL_HOST,
  ) {
    this.#byName = new Map(engines.map((e) => [e.name, e]));
    if (!this.#byName.has(LOCAL_HOST)) this.#byName.set(LOCAL_HOST, localEngine());
    this.networkEngine = this.get(networkEngine);
  }

  /** Where the run's networks are created: the local engine, or a swarm manager when the run spans hosts. */
  readonly networkEngine: Engine;

  /** Only this machine's engine (every run before hosts existed, and every test that starts a topology itself). */
  static localOnly(): Engines {
    return new Engines([localEngine()]);
  }

  get local(): Engine {
    return this.get(LOCAL_HOST);
  }

  get(name: string): Engine {
    const engine = this.#byName.get(name);
    if (!engine) throw new Error(`no engine for host "${name}" (hosts: ${[...this.#byName.keys()].join(", ")})`);
    return engine;
  }

  all(): Engine[] {
    return [...this.#byName.values()];
  }

  /** The declared hosts' engines. */
  remote(): Engine[] {
    return this.all().filter((e) => !e.local);
  }
}
