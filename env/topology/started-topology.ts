import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { TOXIPROXY_API_PORT, TOXIPROXY_NODE, type LinkSpec, type NodeSpec } from "../../core/topology.ts";
import type { Logger } from "../../core/log.ts";
import { dockerClient } from "../docker/client.ts";
import { demultiplex } from "../docker/demux.ts";
import { removeRunResources } from "../docker/sweep.ts";
import { removeRunDisks } from "../disks/run-disks.ts";
import type { RunSecrets } from "../secrets.ts";
import type { OwnPorts } from "../target-guard.ts";
import { waitUntilReady } from "./ready-probe.ts";

export interface StartedNode {
  name: string;
  spec: NodeSpec;
  containerName: string;
  /** Container port -> 127.0.0.1 host port (fixed for the whole run, also across restarts). */
  hostPorts: ReadonlyMap<number, number>;
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
  ) {}

  // --- Links, for link faults (faults/link-*.ts). ---

  /** A declared link by name. */
  link(name: string): LinkSpec {
    const link = this.links.find((l) => l.name === name);
    if (!link) throw new Error(`no link "${name}" in this topology (links: ${this.links.map((l) => l.name).join(", ") || "none"})`);
    return link;
  }

  /** http://127.0.0.1:<port> of the toxiproxy API carrying the links (each link is the proxy of the same name). */
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

  /** http://127.0.0.1:<host port> of a node's container port. */
  baseUrl(nodeName: string, containerPort: number): string {
    return `http://127.0.0.1:${this.hostPort(nodeName, containerPort)}`;
  }

  /** Every 127.0.0.1 host port this run's containers publish (for the target guard). */
  publishedHostPorts(): ReadonlySet<number> {
    return new Set([...this.nodes.values()].flatMap((n) => [...n.hostPorts.values()]));
  }

  container(nodeName: string): Dockerode.Container {
    return dockerClient().getContainer(this.node(nodeName).containerName);
  }

  /** Waits for a node's ready probe (e.g. after a restart); returns the ms it took. */
  waitReady(nodeName: string, timeoutMs = this.node(nodeName).spec.readyTimeoutMs): Promise<number> {
    const node = this.node(nodeName);
    return waitUntilReady(nodeName, node.spec.ready, { container: this.container(nodeName), hostPort: (p) => this.hostPort(nodeName, p) }, timeoutMs);
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
      const removed = await removeRunResources(this.runId);
      this.log.info(`removed ${removed.containers} container(s), ${removed.networks} network(s), ${removed.volumes} volume(s)`);
      // Data volumes (loop-mounted disk images): unmounted and deleted once no container holds them.
      const disks = await removeRunDisks(this.runId);
      if (disks > 0) this.log.info(`removed ${disks} data volume disk(s)`);
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
