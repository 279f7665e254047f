import { errorMessage } from "../../core/errors.ts";
import { netToolsPath } from "../../env/bootstrap/net-tools.ts";
import type { ExecResult } from "../../env/docker/exec.ts";
import { spawn } from "node:child_process";
import { chooseAccess, type NetnsAccess } from "./netns-shell.ts";
import { startSidecar } from "./sidecar.ts";

export interface NetemSupport {
  available: boolean;
  /** What tc said, for notes and errors. */
  detail: string;
}

let detection: Promise<NetemSupport> | undefined;

/**
 * Does this kernel have netem? Asked once per process in a throwaway, empty network namespace (no target is
 * touched): `unshare --net` on the host, or a sidecar with network mode none where the host path is not available.
 * This project's machines answer "Specified qdisc kind is unknown".
 */
export function detectNetem(runId: string, access?: NetnsAccess): Promise<NetemSupport> {
  detection ??= probe(runId, access).catch((error: unknown) => {
    detection = undefined;
    throw error;
  });
  return detection;
}

const COMMAND = ["tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "1ms"];

async function probe(runId: string, access?: NetnsAccess): Promise<NetemSupport> {
  try {
    const choice = await chooseAccess(access);
    const result = choice.access === "host" ? await inFreshNamespace(COMMAND) : await inSidecar(runId, COMMAND);
    const detail = result.exitCode === 0 ? "tc qdisc add ... netem: ok" : `tc qdisc add ... netem: ${result.output.trim() || `exit ${result.exitCode}`}`;
    return { available: result.exitCode === 0, detail };
  } catch (error) {
    throw new Error(`netem detection failed: ${errorMessage(error)}`, { cause: error });
  }
}

/** `unshare --net <command>`: a new, empty namespace that ends with the command. */
function inFreshNamespace(command: readonly string[]): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("unshare", ["--net", ...command], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: netToolsPath, LC_ALL: "C" } });
    const chunks: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => chunks.push(d));
    child.stderr.on("data", (d: Buffer) => chunks.push(d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? -1, output: Buffer.concat(chunks).toString("utf8") }));
  });
}

async function inSidecar(runId: string, command: string[]): Promise<ExecResult> {
  const sidecar = await startSidecar({ runId, faultKey: "netem-probe", node: "netem-probe", generation: Date.now() });
  try {
    return await sidecar.exec(command);
  } finally {
    await sidecar.remove().catch(() => undefined);
  }
}
