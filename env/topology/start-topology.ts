import type { Logger } from "../../core/log.ts";
import type { NodeSpec, Topology } from "../../core/topology.ts";
import { EnvironmentError, errorMessage } from "../../core/errors.ts";
import { dockerClient } from "../docker/client.ts";
import { NODE_LABEL, runLabels } from "../docker/labels.ts";
import { freePorts } from "../free-port.ts";
import { attachDataVolume } from "../disks/data-volume.ts";
import type { RunSecrets } from "../secrets.ts";
import { FunctionWaitStrategy, NodeContainer } from "./node-container.ts";
import { waitUntilReady } from "./ready-probe.ts";
import { startLayers } from "./start-order.ts";
import { StartedTopology, type StartedNode } from "./started-topology.ts";
import { startToxiproxy, toxiproxyNode } from "./toxiproxy-node.ts";

export interface StartTopologyOptions {
  runId: string;
  topology: Topology;
  secrets: RunSecrets;
  log: Logger;
  /** Where each node's log is saved at teardown. */
  logDir?: string;
}

/** Docker names are per run, so two runs on one machine never collide. */
export function dockerName(runId: string, name: string): string {
  return `havoc-${runId}-${name}`;
}

/**
 * Creates the run's networks and starts the nodes layer by layer (a layer's nodes in parallel),
 * each gated by its ready probe. On failure the partial topology is torn down before rethrowing.
 */
export async function startTopology(options: StartTopologyOptions): Promise<StartedTopology> {
  const { runId, topology, log } = options;
  const networks = new Map(topology.networks.map((n) => [n, dockerName(runId, n)]));
  const nodes = new Map<string, StartedNode>();
  for (const spec of topology.nodes) {
    const ports = await freePorts(spec.ports.length);
    nodes.set(spec.name, { name: spec.name, spec, containerName: dockerName(runId, spec.name), hostPorts: new Map(spec.ports.map((p, i) => [p, ports[i]!])) });
  }
  // Links: one extra node, "toxiproxy", carrying every link (see toxiproxy-node.ts); it is in `nodes` so its log,
  // events and API port are handled like any node's.
  const linksNode = topology.links.length > 0 ? await toxiproxyNode(topology, dockerName(runId, "toxiproxy")) : undefined;
  if (linksNode) nodes.set(linksNode.name, linksNode);
  const started = new StartedTopology(runId, nodes, networks, options.secrets, log, options.logDir, topology.links);
  try {
    for (const [, dockerNetwork] of networks)
      await dockerClient().createNetwork({ Name: dockerNetwork, Driver: "bridge", CheckDuplicate: true, Labels: runLabels(runId) });
    // Before every other node: clients resolve `<link>:<port>` from their first connection.
    if (linksNode) await startToxiproxy(linksNode, { runId, topology, networks, log });
    for (const layer of startLayers(topology.nodes)) await Promise.all(layer.map((spec) => startNode(started, nodes.get(spec.name)!, options)));
    return started;
  } catch (error) {
    await started.teardown().catch((e) => log.warn(`teardown after failed start: ${errorMessage(e)}`));
    if (error instanceof EnvironmentError) throw error;
    throw new EnvironmentError(`starting the topology failed: ${options.secrets.redact(errorMessage(error))}`, "see the node logs in the run directory (logs/)", { cause: error });
  }
}

async function startNode(topology: StartedTopology, node: StartedNode, options: StartTopologyOptions): Promise<void> {
  const { spec } = node;
  const [firstNetwork, ...otherNetworks] = (spec.networks ?? [options.topology.networks[0]!]).map((n) => topology.networks.get(n)!);
  await options.log.step(`starting node ${spec.name} (${spec.image})`, async () => {
    const container = new NodeContainer(spec.image)
      .withName(node.containerName)
      .withSoleNetwork(firstNetwork!, [spec.name])
      .withLoopbackPorts(node.hostPorts)
      .withLabels(runLabels(options.runId, { [NODE_LABEL]: spec.name }))
      .withEnvironment(options.secrets.resolveRecord(spec.env))
      .withMemoryLimitMb(spec.memoryMb)
      .withWaitStrategy(new FunctionWaitStrategy((c, timeoutMs) => readiness(spec, node, c, timeoutMs)))
      .withStartupTimeout(spec.readyTimeoutMs);
    if (spec.command) container.withCommand(spec.command);
    // Data volume (env/disks/): a loop-mounted ext4 disk bind-mounted in, or a tmpfs; the teardown unmounts it.
    if (spec.dataVolume) options.log.info(`node ${spec.name}: data volume ${await attachDataVolume(container, options.runId, spec.name, spec.dataVolume)}`);
    try {
      await container.start();
    } catch (error) {
      throw new EnvironmentError(`node "${spec.name}" did not start: ${options.secrets.redact(errorMessage(error))}`, `check image ${spec.image} and the node log in the run directory`, { cause: error });
    }
    for (const network of otherNetworks)
      await dockerClient().getNetwork(network!).connect({ Container: node.containerName, EndpointConfig: { Aliases: [spec.name] } });
  });
}

function readiness(spec: NodeSpec, node: StartedNode, container: import("dockerode").Container, timeoutMs: number) {
  return waitUntilReady(spec.name, spec.ready, { container, hostPort: (p) => node.hostPorts.get(p)! }, timeoutMs);
}
