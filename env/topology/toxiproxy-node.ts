import { Toxiproxy, type Proxy } from "toxiproxy-node-client";
import type { Logger } from "../../core/log.ts";
import { TOXIPROXY_API_PORT, TOXIPROXY_NODE, type LinkSpec, type NodeSpec, type Topology } from "../../core/topology.ts";
import type { Engine } from "../docker/engines.ts";
import { NODE_LABEL, runLabels } from "../docker/labels.ts";
import { freePort } from "../free-port.ts";
import { toxiproxyImage } from "../images/toxiproxy/images.ts";
import { createAndStartNode } from "./node-create.ts";
import { urlHost, waitUntilReady } from "./ready-probe.ts";
import type { StartedNode } from "./started-topology.ts";

/**
 * The links' toxiproxy node: one container carrying every link of the topology (core/topology.ts `links`).
 * It joins every network of the run with each link name as a DNS alias, so a client anywhere resolves
 * `<link>:<listenPort>`; each link is one proxy `0.0.0.0:<listenPort> -> <to.node>:<to.port>`. Toxiproxy dials the
 * upstream per client connection, so proxies can exist before their upstream node runs.
 */
export const toxiproxyNodeSpec = (topology: Topology): NodeSpec => ({
  name: TOXIPROXY_NODE,
  image: toxiproxyImage.tag,
  role: TOXIPROXY_NODE,
  env: {},
  ports: [TOXIPROXY_API_PORT],
  networks: [...topology.networks],
  ready: { kind: "http", port: TOXIPROXY_API_PORT, path: "/version", status: 200 },
  readyTimeoutMs: 15_000,
  dependsOn: [],
});

/** The StartedNode of the toxiproxy node (its API port gets a fixed 127.0.0.1 host port like every node port). */
export async function toxiproxyNode(topology: Topology, containerName: string): Promise<StartedNode> {
  const spec = toxiproxyNodeSpec(topology);
  return { name: spec.name, spec, containerName, hostPorts: new Map([[TOXIPROXY_API_PORT, await freePort()]]) };
}

/** http://<address>:<host port> of a toxiproxy API. */
export function toxiproxyClient(apiUrl: string): Toxiproxy {
  return new Toxiproxy(apiUrl);
}

/** Proxy name of a link on the toxiproxy node: the link name itself. */
export function proxyName(link: LinkSpec): string {
  return link.name;
}

export interface StartToxiproxyOptions {
  runId: string;
  topology: Topology;
  /** Topology network name -> Docker network name. */
  networks: ReadonlyMap<string, string>;
  log: Logger;
  /** The engine of the host it is placed on (topology `spread` of role "toxiproxy"; default local). */
  engine: Engine;
  /** Its image there (an image id on a remote engine). */
  image: string;
}

/** Starts the toxiproxy node, waits for its API, and creates one proxy per link. Returns the proxies as the API lists them. */
export async function startToxiproxy(node: StartedNode, options: StartToxiproxyOptions): Promise<Proxy[]> {
  const { topology, log } = options;
  const aliases = [TOXIPROXY_NODE, ...topology.links.map((l) => l.name)];
  const [first, ...others] = topology.networks.map((n) => options.networks.get(n)!);
  const { engine } = options;
  const apiUrl = () => `http://${urlHost(engine.address)}:${node.hostPorts.get(TOXIPROXY_API_PORT)!}`;
  const where = engine.local ? "" : ` on host ${engine.name}`;
  return log.step(`starting node ${TOXIPROXY_NODE} (${node.spec.image})${where} for link(s) ${topology.links.map((l) => l.name).join(", ")}`, async () => {
    const container = await createAndStartNode(
      engine,
      {
        name: node.containerName,
        image: options.image,
        env: {},
        labels: runLabels(options.runId, { [NODE_LABEL]: TOXIPROXY_NODE }),
        network: first!,
        aliases,
        ports: node.hostPorts,
        bindIp: engine.bindIp,
      },
      node.hostPorts as Map<number, number>,
    );
    for (const network of others) await engine.docker.getNetwork(network!).connect({ Container: node.containerName, EndpointConfig: { Aliases: aliases } });
    await waitUntilReady(TOXIPROXY_NODE, node.spec.ready, { container, address: engine.address, hostPort: (p) => node.hostPorts.get(p)! }, node.spec.readyTimeoutMs);
    const client = toxiproxyClient(apiUrl());
    const proxies: Proxy[] = [];
    for (const link of topology.links) {
      const proxy = await client.createProxy({ name: proxyName(link), listen: `0.0.0.0:${link.listenPort}`, upstream: `${link.to.node}:${link.to.port}`, enabled: true });
      proxies.push(proxy);
      log.info(`link ${link.name}:${link.listenPort} -> ${link.to.node}:${link.to.port} (toxiproxy proxy "${proxy.name}", listen ${proxy.listen})`);
    }
    const listed = await client.getAll();
    const missing = topology.links.filter((l) => !listed[proxyName(l)]);
    if (missing.length > 0) throw new Error(`toxiproxy does not list the proxies of link(s) ${missing.map((l) => l.name).join(", ")}`);
    return proxies;
  });
}

/** One toxic as toxiproxy's API lists it. */
export interface ListedToxic {
  name: string;
  type: string;
  stream: "upstream" | "downstream";
  toxicity: number;
  attributes: Record<string, number>;
}

/** The toxics on a link's proxy (GET /proxies/<name>/toxics); the client's Proxy object does not keep them. */
export async function listToxics(apiUrl: string, proxy: string): Promise<ListedToxic[]> {
  const response = await fetch(`${apiUrl}/proxies/${encodeURIComponent(proxy)}/toxics`, { signal: AbortSignal.timeout(5_000) });
  if (!response.ok) throw new Error(`toxiproxy GET /proxies/${proxy}/toxics answered ${response.status}: ${(await response.text()).trim()}`);
  return (await response.json()) as ListedToxic[];
}

/** Whether an error from toxiproxy-node-client (or fetch) means the proxy/toxic or toxiproxy itself is gone. */
export function isGoneError(error: unknown): boolean {
  const message = String((error as Error)?.message ?? error);
  return /status code 404|ECONNREFUSED|ECONNRESET|fetch failed|other side closed|socket hang up/i.test(message) || /ECONNREFUSED/.test(String((error as { cause?: unknown })?.cause));
}
