import Dockerode from "dockerode";
import { boundEngineCalls } from "./engine-calls.ts";

export const defaultSocketPath = "/var/run/docker.sock";

let client: Dockerode | undefined;

/** Connection options from DOCKER_HOST (unix:// or tcp://), else the default local socket. */
function connectionOptions(dockerHost = process.env.DOCKER_HOST): Dockerode.DockerOptions {
  if (!dockerHost) return { socketPath: defaultSocketPath };
  const url = new URL(dockerHost);
  if (url.protocol === "unix:") return { socketPath: url.pathname };
  if (url.protocol === "tcp:" || url.protocol === "http:" || url.protocol === "https:") {
    // TLS needs the certificate files docker-modem already knows how to find; let it read the env itself.
    if (process.env.DOCKER_TLS_VERIFY === "1" || url.protocol === "https:") return {};
    return { protocol: "http", host: url.hostname, port: Number(url.port || 2375) };
  }
  throw new Error(`unsupported DOCKER_HOST ${dockerHost} (use unix:// or tcp://)`);
}

/**
 * One client per process: dockerode keeps an HTTP agent, so sharing it avoids a socket per caller. Every call it
 * makes has a deadline and names itself when it fails (engine-calls.ts).
 */
export function dockerClient(): Dockerode {
  client ??= boundEngineCalls(new Dockerode(connectionOptions()));
  return client;
}

/** The unix socket in use, or undefined for a tcp:// engine (which havoc cannot start itself). */
export function dockerSocketPath(): string | undefined {
  return connectionOptions().socketPath;
}

/** True when the engine answers /_ping within `timeoutMs`; never throws. */
export async function pingDocker(timeoutMs = 2000): Promise<boolean> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    // @types/dockerode omits ping's options, but dockerode passes abortSignal through to the request.
    const ping = dockerClient().ping as unknown as (options: { abortSignal: AbortSignal }) => Promise<unknown>;
    await ping.call(dockerClient(), { abortSignal: abort.signal });
    return true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
