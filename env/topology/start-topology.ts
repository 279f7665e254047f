import type Dockerode from "dockerode";
import type { Logger } from "../../core/log.ts";
import { placeNodes } from "../../core/hosts.ts";
import type { NodeSpec, Topology } from "../../core/topology.ts";
import { EnvironmentError, errorMessage } from "../../core/errors.ts";
import { Engines } from "../docker/engines.ts";
import { NODE_LABEL, runLabels } from "../docker/labels.ts";
import { freePorts } from "../free-port.ts";
import { dataVolumeMounts } from "../disks/data-volume.ts";
import { lazyFsVolume } from "../disks/lazyfs-volume.ts";
import type { RunSecrets } from "../secrets.ts";
import { createAndStartNode } from "./node-create.ts";
import { waitUntilReady } from "./ready-probe.ts";
import { startLayers } from "./start-order.ts";
import { StartedTopology, type StartedNode } from "./started-topology.ts";
import { startToxiproxy, toxiproxyNode, toxiproxyNodeSpec } from "./toxiproxy-node.ts";

export interface StartTopologyOptions {
  runId: string;
  topology: Topology;
  secrets: RunSecrets;
  log: Logger;
  /** Where each node's log is saved at teardown. */
  logDir?: string;
  /** The run's engines (env/docker/connect-engines.ts). Default: this machine's only. */
  engines?: Engines;
  /**
   * The image reference a node uses on its host: on a remote engine, the id of the copy made there
   * (env/docker/image-transfer.ts). Default: the topology's image as it is.
   */
  imageOn?: (host: string, image: string) => string;
}

/** Docker names are per run, so two runs on one machine never collide. */
export function dockerName(runId: string, name: string): string {
  return `havoc-${runId}-${name}`;
}

/**
 * Creates the run's networks and starts the nodes layer by layer (a layer's nodes in parallel), each on its host's
 * engine and gated by its ready probe. A run on one engine gets bridge networks there; a run spanning engines gets
 * attachable overlay networks of their swarm (created on a manager), so a node reaches every other by name whatever
 * host it is on. On failure the partial topology is torn down before rethrowing.
 */
export async function startTopology(options: StartTopologyOptions): Promise<StartedTopology> {
  const { runId, topology, log } = options;
  const engines = options.engines ?? Engines.localOnly();
  const networks = new Map(topology.networks.map((n) => [n, dockerName(runId, n)]));
  const linksSpec = topology.links.length > 0 ? toxiproxyNodeSpec(topology) : undefined;
  const placement = placeNodes([...topology.nodes, ...(linksSpec ? [linksSpec] : [])], topology.spread);
  const hosts = new Set(placement.values());
  const elsewhere = [...hosts].filter((h) => h !== engines.networkEngine.name);
  if (!engines.spansHosts && elsewhere.length > 0)
    throw new EnvironmentError(`nodes are placed on ${[...hosts].join(", ")} but the run's engines were connected for ${engines.networkEngine.name} only`, "connect the engines with the hosts every node and generator uses (connectEngines)");
  const nodes = new Map<string, StartedNode>();
  for (const spec of topology.nodes) {
    const ports = await freePorts(spec.ports.length);
    nodes.set(spec.name, { name: spec.name, spec, containerName: dockerName(runId, spec.name), hostPorts: new Map(spec.ports.map((p, i) => [p, ports[i]!])), host: placement.get(spec.name)! });
  }
  // Links: one extra node, "toxiproxy", carrying every link (see toxiproxy-node.ts); it is in `nodes` so its log,
  // events and API port are handled like any node's.
  const linksNode = linksSpec ? { ...(await toxiproxyNode(topology, dockerName(runId, "toxiproxy"))), host: placement.get(linksSpec.name)! } : undefined;
  if (linksNode) nodes.set(linksNode.name, linksNode);
  const started = new StartedTopology(runId, nodes, networks, options.secrets, log, options.logDir, topology.links, engines);
  const imageOn = options.imageOn ?? ((_host: string, image: string) => image);
  try {
    const overlay = engines.spansHosts;
    for (const [, dockerNetwork] of networks)
      await engines.networkEngine.docker.createNetwork({
        Name: dockerNetwork,
        Driver: overlay ? "overlay" : "bridge",
        ...(overlay ? { Attachable: true } : {}),
        CheckDuplicate: true,
        Labels: runLabels(runId),
      });
    if (overlay) log.info(`networks ${[...networks.values()].join(", ")}: attachable overlay networks of the swarm (nodes on ${[...hosts].join(", ")})`);
    // Before every other node: clients resolve `<link>:<port>` from their first connection.
    if (linksNode) await startToxiproxy(linksNode, { runId, topology, networks, log, engine: engines.get(linksNode.host!), image: imageOn(linksNode.host!, linksNode.spec.image) });
    for (const layer of startLayers(topology.nodes)) await Promise.all(layer.map((spec) => startNode(started, nodes.get(spec.name)!, options, imageOn)));
    await syncAfterStart(runId, topology.nodes, log);
    return started;
  } catch (error) {
    await started.teardown().catch((e) => log.warn(`teardown after failed start: ${errorMessage(e)}`));
    if (error instanceof EnvironmentError) throw error;
    throw new EnvironmentError(`starting the topology failed: ${options.secrets.redact(errorMessage(error))}`, "see the node logs in the run directory (logs/)", { cause: error });
  }
}

async function startNode(topology: StartedTopology, node: StartedNode, options: StartTopologyOptions, imageOn: (host: string, image: string) => string): Promise<void> {
  const { spec } = node;
  const host = node.host ?? "local";
  const engine = topology.engineOf(spec.name);
  const [firstNetwork, ...otherNetworks] = (spec.networks ?? [options.topology.networks[0]!]).map((n) => topology.networks.get(n)!);
  const where = engine.local ? "" : ` on host ${host}`;
  await options.log.step(`starting node ${spec.name} (${spec.image})${where}`, async () => {
    // Data volume (env/disks/): a loop-mounted ext4 disk bind-mounted in, or a tmpfs; the teardown unmounts it.
    const volume = spec.dataVolume ? await dataVolumeMounts(options.runId, spec.name, spec.dataVolume) : undefined;
    if (volume) options.log.info(`node ${spec.name}: data volume ${volume.description}`);
    let container: Dockerode.Container;
    try {
      container = await createAndStartNode(
        engine,
        {
          name: node.containerName,
          image: imageOn(host, spec.image),
          env: options.secrets.resolveRecord(spec.env),
          ...(spec.command ? { command: spec.command } : {}),
          labels: runLabels(options.runId, { [NODE_LABEL]: spec.name }),
          network: firstNetwork!,
          aliases: [spec.name],
          ports: node.hostPorts,
          bindIp: engine.bindIp,
          ...(spec.memoryMb !== undefined ? { memoryMb: spec.memoryMb } : {}),
          ...(volume?.binds ? { binds: volume.binds } : {}),
          ...(volume?.tmpfs ? { tmpfs: volume.tmpfs } : {}),
        },
        node.hostPorts as Map<number, number>,
      );
      for (const network of otherNetworks) await engine.docker.getNetwork(network!).connect({ Container: node.containerName, EndpointConfig: { Aliases: [spec.name] } });
      await readiness(spec, node, container, engine.address);
    } catch (error) {
      throw new EnvironmentError(`node "${spec.name}" did not start${where}: ${options.secrets.redact(errorMessage(error))}`, `check image ${spec.image} and the node log in the run directory`, { cause: error });
    }
  });
}

function readiness(spec: NodeSpec, node: StartedNode, container: Dockerode.Container, address: string) {
  return waitUntilReady(spec.name, spec.ready, { container, address, hostPort: (p) => node.hostPorts.get(p)! }, spec.readyTimeoutMs);
}

/**
 * Flushes the lazyfs volumes marked `syncAfterStart` (core/topology.ts), once every node is ready: what the nodes
 * wrote while setting up is then on the backing disk, as a kernel's writeback would have put it there long before
 * a power cut during traffic.
 */
async function syncAfterStart(runId: string, specs: readonly NodeSpec[], log: Logger): Promise<void> {
  const marked = specs.filter((s) => s.dataVolume?.kind === "lazyfs" && s.dataVolume.syncAfterStart);
  await Promise.all(
    marked.map(async (spec) => {
      const volume = lazyFsVolume(runId, spec.name);
      if (!volume) throw new EnvironmentError(`node "${spec.name}": its lazyfs data volume is not mounted by this run`, "a lazyfs volume needs a node on the local engine");
      const started = Date.now();
      const flushed = await volume.sync();
      log.info(`node ${spec.name}: lazyfs syncAfterStart flushed ${flushed.bytes} bytes in ${flushed.files} file(s) in ${Date.now() - started} ms`);
    }),
  );
}
