import { InputError } from "../core/errors.ts";

/** Hosts traffic may go to on this machine: loopback literals only (a name like "localhost" could resolve elsewhere). */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "::1"]);

/** What the guard needs to know about the run: the ports its own containers publish, here and on declared hosts. */
export interface OwnPorts {
  /** Host ports published on this machine's loopback. */
  publishedHostPorts(): ReadonlySet<number>;
  /** Per declared host's address (core/hosts.ts), the ports the run's containers publish there. Default none. */
  remoteEndpoints?(): ReadonlyMap<string, ReadonlySet<number>>;
}

/**
 * The traffic rule, enforced before any request is sent: load, probes and readback go only to 127.0.0.1/::1 ports
 * published by this run's own containers, or to ports its containers publish on a declared host's address (exactly
 * those addresses: nothing else). Anything else throws, naming who asked and why it was refused.
 */
export function assertOwnTarget(url: string, run: OwnPorts, purpose: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${purpose}: "${url}" is not a URL`);
  }
  const port = Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80));
  const hint = "point traffic at a node of the topology (target: { node, port })";
  const remote = run.remoteEndpoints?.() ?? new Map<string, ReadonlySet<number>>();
  const address = parsed.hostname.replace(/^\[|\]$/g, "");
  if (LOOPBACK_HOSTS.has(parsed.hostname)) {
    if (!run.publishedHostPorts().has(port)) throw new InputError(`${purpose}: refused target ${url}: port ${port} is not published by this run's containers`, hint);
    return;
  }
  const published = remote.get(address);
  if (!published) {
    const declared = remote.size > 0 ? `, or a declared host's address (${[...remote.keys()].join(", ")})` : "";
    throw new InputError(`${purpose}: refused target ${url}: traffic goes only to 127.0.0.1 or ::1${declared}`, hint);
  }
  if (!published.has(port)) throw new InputError(`${purpose}: refused target ${url}: port ${port} is not published by this run's containers on ${address}`, hint);
}

/** What the guard needs to know about the run's own nodes, for traffic sent inside its network. */
export interface OwnNodes {
  /** The container ports a node of this run declares, or undefined when no such node is in the run. */
  declaredPorts(node: string): readonly number[] | undefined;
}

/**
 * The traffic rule inside the run's own network (a load generator running as a container on it): only a node of this
 * run, at a port it declares. Returns the URL (node name and container port); anything else throws.
 */
export function assertOwnNodeTarget(node: string, port: number, run: OwnNodes, purpose: string): string {
  const ports = run.declaredPorts(node);
  if (!ports) throw new InputError(`${purpose}: refused target ${node}:${port}: "${node}" is not a node of this run`, "point traffic at a node of the topology (target: { node, port })");
  if (!ports.includes(port)) throw new InputError(`${purpose}: refused target ${node}:${port}: "${node}" does not declare port ${port} (ports: [${ports.join(", ")}])`);
  return `http://${node}:${port}`;
}
