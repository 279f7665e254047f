import { connect } from "node:net";
import type Dockerode from "dockerode";
import type { ReadyProbe } from "../../core/topology.ts";
import { EngineCallError } from "../docker/engine-calls.ts";
import { execInContainer } from "../docker/exec.ts";

/** One attempt of a probe; every attempt has its own timeout because a paused target still accepts TCP. */
const ATTEMPT_TIMEOUT_MS = 1_000;
const POLL_INTERVAL_MS = 100;
const LOOPBACK = "127.0.0.1";

export interface ProbeTarget {
  container: Dockerode.Container;
  /** Where the node's host publishes its ports: 127.0.0.1 on this machine, the host's address on a declared host. */
  address?: string;
  /** Host port published for a container port. */
  hostPort(containerPort: number): number;
}

/**
 * Runs the probe once; true when the node answers as ready. A Docker engine call that failed or hung (an exec
 * probe's) is not the node's answer: it is thrown (EngineCallError), for the caller to tell the harness's failure
 * from the node's.
 */
export async function probeOnce(probe: ReadyProbe, target: ProbeTarget): Promise<boolean> {
  try {
    switch (probe.kind) {
      case "http": {
        const url = `http://${urlHost(target.address ?? LOOPBACK)}:${target.hostPort(probe.port)}${probe.path}`;
        const response = await fetch(url, { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
        await response.arrayBuffer();
        return response.status === probe.status;
      }
      case "tcp":
        return await tcpAnswers(target.address ?? LOOPBACK, target.hostPort(probe.port));
      case "exec":
        return (await execInContainer(target.container, probe.command, ATTEMPT_TIMEOUT_MS * 3)).exitCode === 0;
    }
  } catch (error) {
    if (error instanceof EngineCallError) throw error;
    return false;
  }
}

/**
 * A node that is not ready by its deadline, or exited before it was: the system's own failure (after a heal, the
 * run goes on and it is judged as a failed check), never the harness's.
 */
export class NodeNotReadyError extends Error {
  constructor(
    readonly node: string,
    message: string,
  ) {
    super(message);
    this.name = "NodeNotReadyError";
  }
}

/**
 * Polls the probe until it passes or `timeoutMs` runs out; throws NodeNotReadyError naming the node. A Docker engine
 * call of the probe that failed (5xx, a broken connection) or hung past its deadline ends the wait at once with that
 * EngineCallError: the node was never seen failing, the harness could not look, so it is the harness's error (exit 3),
 * never NodeNotReadyError (which a heal records as the system's failure). The engine's answers about the container
 * itself (409: not running, restarting) are not errors here: the probe tries again.
 */
export async function waitUntilReady(nodeName: string, probe: ReadyProbe | undefined, target: ProbeTarget, timeoutMs: number): Promise<number> {
  const startedMs = Date.now();
  if (!probe) return 0;
  const deadline = startedMs + timeoutMs;
  while (Date.now() < deadline) {
    if (await probeOnce(probe, target)) return Date.now() - startedMs;
    const state = (await target.container.inspect()).State;
    if (!state.Running) throw new NodeNotReadyError(nodeName, `node "${nodeName}" exited (code ${state.ExitCode}) before it was ready`);
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  throw new NodeNotReadyError(nodeName, `node "${nodeName}" not ready after ${timeoutMs} ms (${describeProbe(probe)})`);
}

export function describeProbe(probe: ReadyProbe): string {
  switch (probe.kind) {
    case "http":
      return `http GET :${probe.port}${probe.path} -> ${probe.status}`;
    case "tcp":
      return `tcp :${probe.port}`;
    case "exec":
      return `exec ${probe.command.join(" ")}`;
  }
}

/** An address as a URL's host: an IPv6 literal goes in brackets. */
export function urlHost(address: string): string {
  return address.includes(":") ? `[${address}]` : address;
}

function tcpAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: ATTEMPT_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("timeout", () => done(false));
    socket.once("error", () => done(false));
  });
}
