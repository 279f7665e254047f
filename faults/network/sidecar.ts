import type Dockerode from "dockerode";
import { dockerClient } from "../../env/docker/client.ts";
import { execInContainer, type ExecResult } from "../../env/docker/exec.ts";
import { runLabels } from "../../env/docker/labels.ts";

/**
 * The sidecar image (env/images/netfault): nftables, iproute2, iptables, bash; PID 1 sleeps. Network faults use
 * sidecars only where the host cannot enter namespaces itself (netns-shell.ts).
 */
export const NETFAULT_IMAGE = "havoc/netfault:dev";
/** Label naming the fault a sidecar serves; the run labels come with it so teardown and the sweep remove it. */
export const SIDECAR_LABEL = "havoc.sidecar";
export const SIDECAR_OF_LABEL = "havoc.sidecar-of";

/** Measured 170 ms for create+start; generous for a loaded 2-core machine. */
export const SIDECAR_START_DEADLINE_MS = 15_000;
export const SIDECAR_EXEC_DEADLINE_MS = 10_000;

/** Rejects with a message naming `what` when `promise` does not settle within `ms`. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

/** A container sharing a target's network namespace (or its own, for probes), driven by exec. */
export class Sidecar {
  #removed: Promise<void> | undefined;

  constructor(
    /** The node whose namespace it shares, or a description for a stand-alone probe. */
    readonly node: string,
    readonly name: string,
    readonly container: Dockerode.Container,
  ) {}

  /** Runs a command; resolves with its exit code and output (rejects only on deadline or Docker errors). */
  exec(command: string[], timeoutMs = SIDECAR_EXEC_DEADLINE_MS): Promise<ExecResult> {
    return execInContainer(this.container, command, timeoutMs);
  }

  /** Is the sidecar still running (a target restart leaves it running in the dead namespace: "stranded")? */
  async running(): Promise<boolean> {
    const info = await this.container.inspect().catch(() => undefined);
    return info?.State?.Running === true;
  }

  /** Idempotent; a sidecar that is already gone is fine. */
  remove(): Promise<void> {
    this.#removed ??= withDeadline(this.container.remove({ force: true }), SIDECAR_START_DEADLINE_MS, `removing sidecar ${this.name}`).then(
      () => undefined,
      (error: unknown) => {
        const status = statusOf(error);
        if (status === 404 || status === 409) return;
        this.#removed = undefined;
        throw error;
      },
    );
    return this.#removed;
  }
}

export interface SidecarOptions {
  runId: string;
  /** Fault id, stored in the havoc.sidecar label. */
  faultKey: string;
  /** Node whose namespace to join, and its Docker container name; omit targetContainer for an own, empty namespace. */
  node: string;
  targetContainer?: string;
  /** Distinguishes successive sidecars of one fault on one node (re-apply after restart). */
  generation: number;
  /** The engine the target runs on (a sidecar shares a namespace only on its own engine). Default this machine's. */
  docker?: Dockerode;
}

/**
 * Starts a netfault sidecar in the target's network namespace (`NetworkMode: container:<target>`, NET_ADMIN),
 * labelled with the run labels so teardown and the sweep remove it. Rejects with a clear message when the target
 * is not running or the image is missing.
 */
export async function startSidecar(options: SidecarOptions): Promise<Sidecar> {
  const docker = options.docker ?? dockerClient();
  const safeKey = options.faultKey.replace(/[^a-zA-Z0-9_.-]/g, "_");
  const name = options.targetContainer ? `${options.targetContainer}-nf-${safeKey}-${options.generation}` : `havoc-${options.runId}-nf-${safeKey}-${options.generation}`;
  let container: Dockerode.Container;
  try {
    container = await withDeadline(
      docker.createContainer({
        name,
        Image: NETFAULT_IMAGE,
        Labels: runLabels(options.runId, { [SIDECAR_LABEL]: options.faultKey, [SIDECAR_OF_LABEL]: options.node }),
        HostConfig: { NetworkMode: options.targetContainer ? `container:${options.targetContainer}` : "none", CapAdd: ["NET_ADMIN"] },
      }),
      SIDECAR_START_DEADLINE_MS,
      `creating sidecar ${name}`,
    );
  } catch (error) {
    if (statusOf(error) === 404 && /image/i.test(String(error)))
      throw new Error(`image ${NETFAULT_IMAGE} is missing${options.docker ? " on the target's engine (copied to every host with nodes when the run starts)" : ""}: run "havoc setup" (it is one of env/images/images.ts toolImages)`, { cause: error });
    throw error;
  }
  const sidecar = new Sidecar(options.node, name, container);
  try {
    await withDeadline(container.start(), SIDECAR_START_DEADLINE_MS, `starting sidecar ${name}`);
  } catch (error) {
    await sidecar.remove().catch(() => undefined);
    throw new Error(`sidecar for ${options.node} did not start (is the target running?): ${String((error as Error).message ?? error)}`, { cause: error });
  }
  return sidecar;
}
