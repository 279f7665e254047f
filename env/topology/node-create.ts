import type Dockerode from "dockerode";
import { freePorts } from "../free-port.ts";
import type { Engine } from "../docker/engines.ts";

/** Everything a node's container is created with (one per node, whatever engine it is on). */
export interface NodeContainerPlan {
  /** Docker container name (havoc-<run>-<node>). */
  name: string;
  /** Image reference on the node's engine (a run tag here, an image id on a remote engine). */
  image: string;
  env: Readonly<Record<string, string>>;
  command?: readonly string[];
  labels: Readonly<Record<string, string>>;
  /** The Docker network it is created on (its only network at creation, so it gets one NIC per network). */
  network: string;
  /** DNS names on that network. */
  aliases: readonly string[];
  /** Container port -> host port, published on `bindIp`. */
  ports: ReadonlyMap<number, number>;
  bindIp: string;
  memoryMb?: number;
  binds?: readonly string[];
  tmpfs?: Readonly<Record<string, string>>;
}

/**
 * The create request of a node's container. The network and its aliases go into the request itself: a container
 * created on the default bridge and connected afterwards would keep a second NIC, so cutting one network would not
 * isolate it (measured).
 */
export function nodeCreateOptions(plan: NodeContainerPlan): Dockerode.ContainerCreateOptions {
  const exposed = Object.fromEntries([...plan.ports.keys()].map((p) => [`${p}/tcp`, {}]));
  const bindings = Object.fromEntries([...plan.ports].map(([container, host]) => [`${container}/tcp`, [{ HostIp: plan.bindIp, HostPort: String(host) }]]));
  return {
    name: plan.name,
    Image: plan.image,
    Env: Object.entries(plan.env).map(([k, v]) => `${k}=${v}`),
    ...(plan.command ? { Cmd: [...plan.command] } : {}),
    Labels: { ...plan.labels },
    ExposedPorts: exposed,
    HostConfig: {
      NetworkMode: plan.network,
      PortBindings: bindings,
      ...(plan.memoryMb !== undefined ? { Memory: plan.memoryMb * 1024 * 1024 } : {}),
      ...(plan.binds ? { Binds: [...plan.binds] } : {}),
      ...(plan.tmpfs ? { Tmpfs: { ...plan.tmpfs } } : {}),
    },
    NetworkingConfig: { EndpointsConfig: { [plan.network]: { Aliases: [...plan.aliases] } } },
  };
}

/** Docker's refusal when a host port is taken on the node's host (another process or engine got it first). */
export function isPortConflict(error: unknown): boolean {
  return /port is already allocated|address already in use|bind: address/i.test(String((error as Error)?.message ?? error));
}

/** Attempts at starting a node whose host port turned out to be taken on its host. */
const PORT_ATTEMPTS = 4;

/**
 * Creates and starts a node's container on its engine. A host port chosen on this machine may be taken on a remote
 * host: then the container is removed and created again with other ports (`ports` is updated in place, so the node
 * keeps the ports it got for the whole run). Returns the started container.
 */
export async function createAndStartNode(engine: Engine, plan: NodeContainerPlan, ports: Map<number, number>): Promise<Dockerode.Container> {
  for (let attempt = 1; ; attempt++) {
    const container = await engine.docker.createContainer(nodeCreateOptions({ ...plan, ports }));
    try {
      await container.start();
      return container;
    } catch (error) {
      if (!isPortConflict(error) || attempt >= PORT_ATTEMPTS) throw error;
      await container.remove({ force: true }).catch(() => undefined);
      const fresh = await freePorts(ports.size);
      [...ports.keys()].forEach((containerPort, i) => ports.set(containerPort, fresh[i]!));
    }
  }
}
