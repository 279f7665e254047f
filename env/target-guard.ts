import { InputError } from "../core/errors.ts";

/** Hosts traffic may go to: loopback literals only (a name like "localhost" could resolve elsewhere). */
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "[::1]", "::1"]);

/** What the guard needs to know about the run: the host ports its own containers publish. */
export interface OwnPorts {
  publishedHostPorts(): ReadonlySet<number>;
}

/**
 * The traffic rule, enforced before any request is sent: load, probes and readback go only to 127.0.0.1/::1
 * ports published by this run's own containers. Anything else throws, naming who asked and why it was refused.
 */
export function assertOwnTarget(url: string, run: OwnPorts, purpose: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(`${purpose}: "${url}" is not a URL`);
  }
  if (!LOOPBACK_HOSTS.has(parsed.hostname))
    throw new InputError(`${purpose}: refused target ${url}: traffic goes only to 127.0.0.1 or ::1`, "point traffic at a node of the topology (target: { node, port })");
  const port = Number(parsed.port || (parsed.protocol === "https:" ? 443 : 80));
  if (!run.publishedHostPorts().has(port))
    throw new InputError(`${purpose}: refused target ${url}: port ${port} is not published by this run's containers`, "point traffic at a node of the topology (target: { node, port })");
}
