import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import type Dockerode from "dockerode";
import { z } from "zod";
import { InputError } from "../../core/errors.ts";
import type { HostSpec } from "../../core/hosts.ts";

/** How a declared host's engine is reached, resolved from its `docker` field (a URL or a Docker context). */
export interface EngineEndpoint {
  /** unix:///..., tcp://..., ssh://... as Docker's client names it. */
  url: string;
  /** PEM material for a tcp:// engine with TLS. */
  tls?: { ca: Buffer; cert: Buffer; key: Buffer; verify: boolean };
  /** The context it came from, for messages. */
  context?: string;
}

/** A Docker context's meta.json (the CLI's context store, `docker context create`). */
const ContextMeta = z.object({
  Name: z.string(),
  Endpoints: z.object({ docker: z.object({ Host: z.string().min(1), SkipTLSVerify: z.boolean().default(false) }) }),
});

/** The CLI's configuration folder: $DOCKER_CONFIG, else ~/.docker. */
export function dockerConfigDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || join(homedir(), ".docker");
}

/**
 * A Docker context's endpoint, read from the context store as the CLI writes it: meta/<sha256(name)>/meta.json, TLS
 * files in tls/<sha256(name)>/docker/. Throws naming the context and the file when it is missing or malformed.
 */
export function readDockerContext(name: string, configDir = dockerConfigDir()): EngineEndpoint {
  const id = createHash("sha256").update(name).digest("hex");
  const metaFile = join(configDir, "contexts", "meta", id, "meta.json");
  if (!existsSync(metaFile)) throw new InputError(`Docker context "${name}": no ${metaFile}`, "list the contexts with `docker context ls`, or give the engine as unix://, tcp:// or ssh://");
  let meta: z.infer<typeof ContextMeta>;
  try {
    meta = ContextMeta.parse(JSON.parse(readFileSync(metaFile, "utf8")));
  } catch (error) {
    throw new InputError(`Docker context "${name}": ${metaFile} is not a context's meta.json (${(error as Error).message.split("\n")[0]})`);
  }
  const tlsDir = join(configDir, "contexts", "tls", id, "docker");
  const file = (f: string) => join(tlsDir, f);
  const endpoint: EngineEndpoint = { url: meta.Endpoints.docker.Host, context: name };
  if (existsSync(file("ca.pem")) || existsSync(file("cert.pem"))) {
    endpoint.tls = { ca: readFileSync(file("ca.pem")), cert: readFileSync(file("cert.pem")), key: readFileSync(file("key.pem")), verify: !meta.Endpoints.docker.SkipTLSVerify };
  }
  return endpoint;
}

/** The endpoint of a declared host: its URL as given, or its Docker context's; TLS files read now. */
export function engineEndpoint(spec: HostSpec, configDir = dockerConfigDir()): EngineEndpoint {
  if (!/^(unix|tcp|ssh):\/\//.test(spec.docker)) return readDockerContext(spec.docker, configDir);
  const endpoint: EngineEndpoint = { url: spec.docker };
  if (spec.tls) {
    const read = (what: "ca" | "cert" | "key") => {
      const path = spec.tls![what];
      try {
        return readFileSync(path);
      } catch (error) {
        throw new InputError(`tls.${what}: cannot read ${path}: ${(error as Error).message}`);
      }
    };
    endpoint.tls = { ca: read("ca"), cert: read("cert"), key: read("key"), verify: spec.tls.verify };
  }
  return endpoint;
}

/**
 * dockerode options for an endpoint. Every connection field is set, so DOCKER_HOST (which docker-modem merges in as
 * its defaults) never redirects a declared host.
 */
export function dockerOptions(endpoint: EngineEndpoint, env: NodeJS.ProcessEnv = process.env): Dockerode.DockerOptions {
  const url = new URL(endpoint.url);
  const none = { socketPath: undefined, host: undefined, port: undefined, protocol: undefined, ca: undefined, cert: undefined, key: undefined } as const;
  switch (url.protocol) {
    case "unix:":
      return { ...none, socketPath: url.pathname };
    case "tcp:": {
      const tls = endpoint.tls;
      const port = Number(url.port || (tls ? 2376 : 2375));
      if (!tls) return { ...none, protocol: "http", host: url.hostname, port };
      // verify: false skips the name check only (docker-modem has no switch for the chain): the CA must still sign it.
      return { ...none, protocol: "https", host: url.hostname, port, ca: tls.ca, cert: tls.cert, key: tls.key, ...(tls.verify ? {} : { checkServerIdentity: () => undefined }) };
    }
    case "ssh:":
      // docker-modem opens an SSH session and runs `docker system dial-stdio` there (what the CLI does for ssh://).
      return {
        ...none,
        protocol: "ssh",
        host: url.hostname,
        port: Number(url.port || 22),
        ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
        sshOptions: { ...(env.SSH_AUTH_SOCK ? { agent: env.SSH_AUTH_SOCK } : {}) },
      } as Dockerode.DockerOptions;
    default:
      throw new InputError(`unsupported engine URL ${endpoint.url}${endpoint.context ? ` (Docker context "${endpoint.context}")` : ""}: expected unix://, tcp:// or ssh://`);
  }
}

/** The engine's URL host when it is an address literal (tcp:// or ssh://), else undefined. */
export function urlHost(endpoint: EngineEndpoint): string | undefined {
  const url = new URL(endpoint.url);
  if (url.protocol === "unix:") return undefined;
  return url.hostname.replace(/^\[|\]$/g, "") || undefined;
}

/** The endpoint without credentials, for messages and logs (ssh user names are kept; they are not secrets). */
export function describeEndpoint(endpoint: EngineEndpoint): string {
  return `${endpoint.url}${endpoint.tls ? " (TLS)" : ""}${endpoint.context ? ` (Docker context "${endpoint.context}")` : ""}`;
}
