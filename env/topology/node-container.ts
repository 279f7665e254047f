import "../docker/testcontainers-env.ts";
import type Dockerode from "dockerode";
import { GenericContainer, type BoundPorts, type WaitStrategy } from "testcontainers";

/**
 * A testcontainers GenericContainer that joins exactly one network, with the node's name as DNS alias,
 * and publishes ports on 127.0.0.1 only.
 *
 * Why the subclass: `withNetworkAliases` in testcontainers starts the container on the default bridge and
 * then connects it to the network, giving it two NICs, so cutting one network would not isolate it
 * (shared/ENVIRONMENT.md, measured). Setting the endpoint aliases in the create request keeps one NIC.
 */
export class NodeContainer extends GenericContainer {
  /** Joins `network` as its only network, reachable there as each of `aliases`. */
  withSoleNetwork(network: string, aliases: string[]): this {
    this.withNetworkMode(network);
    this.createOpts.NetworkingConfig = { EndpointsConfig: { [network]: { Aliases: aliases } } };
    return this;
  }

  /** Publishes container ports on 127.0.0.1 at fixed host ports (traffic only ever goes to loopback). */
  withLoopbackPorts(ports: ReadonlyMap<number, number>): this {
    for (const [containerPort, hostPort] of ports) this.withExposedPorts({ container: containerPort, host: hostPort });
    for (const [containerPort, hostPort] of ports)
      this.hostConfig.PortBindings = { ...this.hostConfig.PortBindings, [`${containerPort}/tcp`]: [{ HostIp: "127.0.0.1", HostPort: String(hostPort) }] };
    return this;
  }

  withMemoryLimitMb(memoryMb: number | undefined): this {
    if (memoryMb !== undefined) this.hostConfig.Memory = memoryMb * 1024 * 1024;
    return this;
  }
}

/** Adapts a readiness function to testcontainers' WaitStrategy, so one prober serves start and post-heal checks. */
export class FunctionWaitStrategy implements WaitStrategy {
  #timeoutMs = 60_000;
  #timeoutSet = false;

  constructor(private readonly ready: (container: Dockerode.Container, timeoutMs: number) => Promise<unknown>) {}

  async waitUntilReady(container: Dockerode.Container, _boundPorts: BoundPorts): Promise<void> {
    await this.ready(container, this.#timeoutMs);
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.#timeoutMs = startupTimeoutMs;
    this.#timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.#timeoutSet;
  }

  getStartupTimeout(): number {
    return this.#timeoutMs;
  }
}
