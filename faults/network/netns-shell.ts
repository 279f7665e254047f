import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { errorMessage } from "../../core/errors.ts";
import { missingNetTools, netToolsPath } from "../../env/bootstrap/net-tools.ts";
import type { ExecResult } from "../../env/docker/exec.ts";
import { SIDECAR_EXEC_DEADLINE_MS, startSidecar, type Sidecar } from "./sidecar.ts";

/**
 * How a network fault reaches a node's network namespace:
 * - "host": `nsenter --net=<SandboxKey> <command>` from the host, as Chaos Mesh's daemon enters a pod's
 *   namespace. Costs one process start per namespace and action (~10 ms here); needs root and nsenter, nft, tc, ip,
 *   bash on the host (the bootstrap's "network tools" step installs them), and the engine's namespaces visible on
 *   this machine (not a remote DOCKER_HOST).
 * - "sidecar": a havoc/netfault container sharing the node's namespace (`NetworkMode: container:<node>`), driven
 *   by `docker exec`: needs nothing on the host, costs a container per node per fault (~0.2-0.4 s to create).
 */
export type NetnsAccess = "host" | "sidecar";

export const NETNS_ACCESS_ENV = "HAVOC_NETNS_ACCESS";

/** A shell in one node's network namespace. */
export interface NetnsShell {
  readonly via: NetnsAccess;
  readonly node: string;
  /** Runs `script` with bash in the namespace; resolves with its exit code and output (stderr folded in; rejects on deadline). */
  run(script: string, timeoutMs?: number): Promise<ExecResult>;
  /** Runs one command in the namespace with `stdin` as its input: the cheapest action (one process after nsenter). */
  exec(command: readonly string[], stdin?: string, timeoutMs?: number): Promise<ExecResult>;
  /** Releases what the shell holds (the sidecar); idempotent, fine when already gone. */
  close(): Promise<void>;
}

/** One `nsenter` per call into the namespace file Docker keeps for the node; holds nothing between calls. */
export class HostNetnsShell implements NetnsShell {
  readonly via = "host";

  constructor(
    readonly node: string,
    /** NetworkSettings.SandboxKey of the node's container at the time of the inspect. */
    readonly sandboxKey: string,
  ) {}

  run(script: string, timeoutMs = SIDECAR_EXEC_DEADLINE_MS): Promise<ExecResult> {
    return this.exec(["bash", "-c", script], undefined, timeoutMs);
  }

  exec(command: readonly string[], stdin?: string, timeoutMs = SIDECAR_EXEC_DEADLINE_MS): Promise<ExecResult> {
    return new Promise((resolve, reject) => {
      const child = spawn("nsenter", [`--net=${this.sandboxKey}`, ...command], {
        stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
        env: { PATH: netToolsPath, LC_ALL: "C" },
      });
      const chunks: Buffer[] = [];
      child.stdout!.on("data", (d: Buffer) => chunks.push(d));
      child.stderr!.on("data", (d: Buffer) => chunks.push(d));
      if (child.stdin) {
        // A command that exits before reading its input closes the pipe; its exit code and output say why.
        child.stdin.on("error", () => undefined);
        child.stdin.end(stdin);
      }
      const timer = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${this.node}: "${command[0]}" in its namespace did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      child.on("error", (error) => {
        clearTimeout(timer);
        reject(new Error(`${this.node}: cannot start nsenter: ${errorMessage(error)}`, { cause: error }));
      });
      child.on("close", (code, signal) => {
        clearTimeout(timer);
        resolve({ exitCode: code ?? (signal ? 128 : -1), output: Buffer.concat(chunks).toString("utf8") });
      });
    });
  }

  async close(): Promise<void> {}
}

/** The same scripts run by `docker exec` in a sidecar that shares the node's namespace. */
export class SidecarNetnsShell implements NetnsShell {
  readonly via = "sidecar";

  constructor(readonly sidecar: Sidecar) {}

  get node(): string {
    return this.sidecar.node;
  }

  run(script: string, timeoutMs = SIDECAR_EXEC_DEADLINE_MS): Promise<ExecResult> {
    return this.sidecar.exec(["bash", "-c", script], timeoutMs);
  }

  /** docker exec takes no stdin here: the input goes in as an argument and is fed by bash. */
  exec(command: readonly string[], stdin?: string, timeoutMs = SIDECAR_EXEC_DEADLINE_MS): Promise<ExecResult> {
    if (stdin === undefined) return this.sidecar.exec([...command], timeoutMs);
    return this.sidecar.exec(["bash", "-c", 'input=$1; shift; exec "$@" <<<"$input"', "bash", stdin, ...command], timeoutMs);
  }

  /** Is the sidecar still running (a target restart leaves it running in the dead namespace: "stranded")? */
  running(): Promise<boolean> {
    return this.sidecar.running();
  }

  close(): Promise<void> {
    return this.sidecar.remove();
  }
}

export async function openSidecarShell(options: { runId: string; faultKey: string; node: string; targetContainer: string; generation: number; docker?: import("dockerode") }): Promise<SidecarNetnsShell> {
  return new SidecarNetnsShell(await startSidecar(options));
}

let hostProblem: Promise<string | undefined> | undefined;

/** Why the host path cannot be used on this machine (asked once per process), or undefined when it can. */
export function hostAccessProblem(): Promise<string | undefined> {
  hostProblem ??= (async () => {
    if (process.getuid?.() !== 0) return "not root (nsenter into a namespace needs root)";
    const missing = await missingNetTools();
    if (missing.length) return `the host lacks ${missing.map((t) => t.tool).join(", ")} (Debian: ${[...new Set(missing.map((t) => t.pkg))].join(" ")}; "havoc setup" installs them)`;
    return undefined;
  })();
  return hostProblem;
}

export interface AccessChoice {
  access: NetnsAccess;
  /** Why, for the fault's notes and mechanism. */
  why: string;
}

/**
 * The access a fault uses: `forced` (the fault context's netnsAccess), else $HAVOC_NETNS_ACCESS, else "host" when
 * this machine can, else "sidecar" with the reason. A forced "host" the machine cannot do is an error, not a fallback.
 */
export async function chooseAccess(forced?: NetnsAccess): Promise<AccessChoice> {
  const fromEnv = process.env[NETNS_ACCESS_ENV];
  if (!forced && fromEnv !== undefined && fromEnv !== "" && fromEnv !== "host" && fromEnv !== "sidecar" && fromEnv !== "auto")
    throw new Error(`${NETNS_ACCESS_ENV}="${fromEnv}": expected host, sidecar or auto`);
  const wanted = forced ?? (fromEnv === "host" || fromEnv === "sidecar" ? fromEnv : undefined);
  if (wanted === "sidecar") return { access: "sidecar", why: forced ? "sidecar asked by the fault context" : `${NETNS_ACCESS_ENV}=sidecar` };
  const problem = await hostAccessProblem();
  if (wanted === "host") {
    if (problem) throw new Error(`network faults from the host were asked for (${forced ? "fault context" : `${NETNS_ACCESS_ENV}=host`}), but ${problem}`);
    return { access: "host", why: forced ? "host asked by the fault context" : `${NETNS_ACCESS_ENV}=host` };
  }
  if (problem) return { access: "sidecar", why: `fallback to sidecars: ${problem}` };
  return { access: "host", why: "nsenter from the host" };
}

/** Nodes whose namespace file Docker reports but this machine cannot see (a remote engine): the host path cannot enter them. */
export function invisibleNamespaces(keys: ReadonlyMap<string, string | undefined>): string[] {
  return [...keys].filter(([, key]) => key !== undefined && !existsSync(key)).map(([node]) => node);
}
