import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { TOXIPROXY_API_PORT, TOXIPROXY_NODE, type LinkSpec, type NodeSpec } from "../../core/topology.ts";
import type { Logger } from "../../core/log.ts";
import { demultiplex } from "../docker/demux.ts";
import { Engines, type Engine } from "../docker/engines.ts";
import { RemovalError, removeRunResources } from "../docker/sweep.ts";
import { unmountRunLazyFs } from "../disks/lazyfs-volume.ts";
import { removeRunDisks } from "../disks/run-disks.ts";
import type { RunSecrets } from "../secrets.ts";
import type { OwnPorts } from "../target-guard.ts";
import { urlHost, waitUntilReady } from "./ready-probe.ts";

export interface StartedNode {
  name: string;
  spec: NodeSpec;
  containerName: string;
  /** Container port -> host port on the node's host (fixed for the whole run, also across restarts). */
  hostPorts: ReadonlyMap<number, number>;
  /** The host whose engine runs it ("local" unless placed elsewhere, core/hosts.ts). Default "local". */
  host?: string;
}

/**
 * A running topology. Disposing it (or teardown()) saves each node's log into the run directory and
 * removes every container, network and volume labelled with the run id, sidecars included.
 */
export class StartedTopology implements AsyncDisposable, OwnPorts {
  #tornDown: Promise<void> | undefined;

  constructor(
    readonly runId: string,
    readonly nodes: ReadonlyMap<string, StartedNode>,
    /** Topology network name -> Docker network name. */
    readonly networks: ReadonlyMap<string, string>,
    private readonly secrets: RunSecrets,
    private readonly log: Logger,
    private readonly logDir: string | undefined,
    /** The topology's links (toxiproxy); when non-empty, `nodes` also holds the "toxiproxy" node that carries them. */
    readonly links: readonly LinkSpec[] = [],
    /** The run's engines: each node's container is on its host's. */
    readonly engines: Engines = Engines.localOnly(),
  ) {}

  // --- Hosts: which engine runs a node, and where its ports are reached. ---

  /** The engine of a node's host. */
  engineOf(nodeName: string): Engine {
    return this.engines.get(this.node(nodeName).host ?? "local");
  }

  /** Whether the node runs on this machine's engine (its namespaces are this machine's). */
  isLocal(nodeName: string): boolean {
    return this.engineOf(nodeName).local;
  }

  /** Where a node's published ports are reached: 127.0.0.1, or its host's address. */
  address(nodeName: string): string {
    return this.engineOf(nodeName).address;
  }

  // --- Links, for link faults (faults/link-*.ts). ---

  /** A declared link by name. */
  link(name: string): LinkSpec {
    const link = this.links.find((l) => l.name === name);
    if (!link) throw new Error(`no link "${name}" in this topology (links: ${this.links.map((l) => l.name).join(", ") || "none"})`);
    return link;
  }

  /** http://<address>:<port> of the toxiproxy API carrying the links (each link is the proxy of the same name). */
  toxiproxyApiUrl(): string {
    if (this.links.length === 0) throw new Error("this topology declares no links, so it has no toxiproxy node");
    return this.baseUrl(TOXIPROXY_NODE, TOXIPROXY_API_PORT);
  }

  node(name: string): StartedNode {
    const node = this.nodes.get(name);
    if (!node) throw new Error(`no node "${name}" in this topology (nodes: ${[...this.nodes.keys()].join(", ")})`);
    return node;
  }

  hostPort(nodeName: string, containerPort: number): number {
    const port = this.node(nodeName).hostPorts.get(containerPort);
    if (port === undefined) throw new Error(`node "${nodeName}" does not publish port ${containerPort}`);
    return port;
  }

  /** http://<address>:<host port> of a node's container port (127.0.0.1 on this machine, the host's address elsewhere). */
  baseUrl(nodeName: string, containerPort: number): string {
    return `http://${urlHost(this.address(nodeName))}:${this.hostPort(nodeName, containerPort)}`;
  }

  /** Every 127.0.0.1 host port this run's containers publish (for the target guard). */
  publishedHostPorts(): ReadonlySet<number> {
    return new Set([...this.nodes.values()].filter((n) => isLoopback(this.address(n.name))).flatMap((n) => [...n.hostPorts.values()]));
  }

  /** The ports this run's containers publish on each declared host's address (for the target guard). */
  remoteEndpoints(): ReadonlyMap<string, ReadonlySet<number>> {
    const byAddress = new Map<string, Set<number>>();
    for (const n of this.nodes.values()) {
      const address = this.address(n.name);
      if (isLoopback(address)) continue;
      const ports = byAddress.get(address) ?? new Set<number>();
      for (const port of n.hostPorts.values()) ports.add(port);
      byAddress.set(address, ports);
    }
    return byAddress;
  }

  /** The container ports a node declares (undefined: not a node of this run), for traffic inside the run's network. */
  declaredPorts(nodeName: string): readonly number[] | undefined {
    return this.nodes.get(nodeName)?.spec.ports;
  }

  /**
   * The run's Docker networks that reach every one of `nodes`: the first network of the first node, then, for each
   * node on none of those, its own first network (a container joining them gets one NIC each).
   */
  networksReaching(nodes: readonly string[]): string[] {
    const chosen: string[] = [];
    for (const name of nodes) {
      const spec = this.node(name).spec;
      const own = (spec.networks ?? [[...this.networks.keys()][0]!]).map((n) => this.networks.get(n)!);
      if (!own.some((n) => chosen.includes(n))) chosen.push(own[0]!);
    }
    return chosen;
  }

  container(nodeName: string): Dockerode.Container {
    return this.engineOf(nodeName).docker.getContainer(this.node(nodeName).containerName);
  }

  /** Waits for a node's ready probe (e.g. after a restart); returns the ms it took. */
  waitReady(nodeName: string, timeoutMs = this.node(nodeName).spec.readyTimeoutMs): Promise<number> {
    const node = this.node(nodeName);
    return waitUntilReady(nodeName, node.spec.ready, { container: this.container(nodeName), address: this.address(nodeName), hostPort: (p) => this.hostPort(nodeName, p) }, timeoutMs);
  }

  /** Idempotent: the second call waits for the first. */
  teardown(): Promise<void> {
    this.#tornDown ??= this.#teardownOnce();
    return this.#tornDown;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.teardown();
  }

  async #teardownOnce(): Promise<void> {
    await this.log.step(`tearing down run ${this.runId}`, async () => {
      if (this.logDir) await this.#saveLogs(this.logDir).catch((e) => this.log.warn(`could not save container logs: ${String(e)}`));
      // What could not be removed is reported after the disks are dealt with: one engine failure does not strand them.
      let removal: unknown;
      const removed = await removeRunResources(this.runId, this.engines).catch((error: unknown) => {
        removal = error;
        return error instanceof RemovalError ? error.partial : { containers: 0, networks: 0, volumes: 0, runs: [] };
      });
      const hosts = removed.byHost ? ` (${Object.entries(removed.byHost).map(([h, c]) => `${h}: ${c.containers}/${c.networks}/${c.volumes}`).join(", ")})` : "";
      this.log.info(`removed ${removed.containers} container(s), ${removed.networks} network(s), ${removed.volumes} volume(s)${hosts}`);
      // lazyfs daemons first (their backing disks are busy while they run), then the loop-mounted disk images.
      const lazy = await unmountRunLazyFs(this.runId).catch((e) => {
        this.log.warn(`could not stop a lazyfs daemon: ${String(e)}`);
        return 0;
      });
      if (lazy > 0) this.log.info(`stopped ${lazy} lazyfs daemon(s)`);
      // Data volumes (loop-mounted disk images): unmounted and deleted once no container holds them.
      const disks = await removeRunDisks(this.runId);
      if (disks > 0) this.log.info(`removed ${disks} data volume disk(s)`);
      if (removal !== undefined) throw removal;
    });
  }

  async #saveLogs(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    await Promise.all(
      [...this.nodes.keys()].map(async (name) => {
        const raw = await this.container(name)
          .logs({ stdout: true, stderr: true, tail: 5000, timestamps: true })
          .catch(() => undefined);
        if (raw) await writeFile(join(dir, `${name}.log`), this.secrets.redact(demultiplex(raw as unknown as Buffer)));
      }),
    );
  }
}

function isLoopback(address: string): boolean {
  return address === "127.0.0.1" || address === "::1";
}
