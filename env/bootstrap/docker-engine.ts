import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { EnvironmentError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { dockerClient, dockerSocketPath, pingDocker } from "../docker/client.ts";
import { cacheDir } from "../paths.ts";
import { aptInstall, isExecutable, isRoot, output, pollUntil, type BootstrapStep, type StepStatus } from "./shared.ts";

const step = "docker engine";
// Debian's docker.io installs dockerd in /usr/sbin (not /usr/bin); other packagings use /usr/bin.
const dockerdCandidates = ["/usr/sbin/dockerd", "/usr/bin/dockerd"];
const startDeadlineMs = 60_000;

export function dockerdLogPath(): string {
  return join(cacheDir(), "dockerd.log");
}

export async function check(): Promise<StepStatus> {
  if (!(await pingDocker(2000))) {
    const where = process.env.DOCKER_HOST ?? dockerSocketPath();
    return { present: false, detail: `no engine answers at ${where}${dockerdCandidates.some((p) => existsSync(p)) ? "" : " (docker.io not installed)"}` };
  }
  const client = dockerClient();
  const [version, info] = await Promise.all([client.version(), client.info() as Promise<{ Driver?: string; CgroupVersion?: string }>]);
  return { present: true, detail: `Docker ${version.Version} (API ${version.ApiVersion}, ${info.Driver ?? "?"}, cgroup v${info.CgroupVersion ?? "?"})` };
}

async function tailOfLog(lines: number): Promise<string> {
  const text = await readFile(dockerdLogPath(), "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Starts dockerd in its own process group so it outlives this process; output goes to dockerd.log. */
async function findDockerd(): Promise<string | undefined> {
  for (const path of dockerdCandidates) if (await isExecutable(path)) return path;
  return undefined;
}

async function startDockerd(dockerdPath: string, logger: Logger): Promise<{ exited: () => string | undefined }> {
  await mkdir(cacheDir(), { recursive: true });
  const logFile = await open(dockerdLogPath(), "a");
  let exitedHow: string | undefined;
  try {
    const child = spawn(dockerdPath, [], { detached: true, stdio: ["ignore", logFile.fd, logFile.fd] });
    child.on("exit", (code, signal) => (exitedHow = signal ? `signal ${signal}` : `exit ${code}`));
    child.on("error", (error) => (exitedHow = error.message));
    child.unref();
    if (child.pid !== undefined) logger.info(`${step}: started ${dockerdPath} (pid ${child.pid}), log ${dockerdLogPath()}`);
  } finally {
    await logFile.close(); // the child holds its own copy of the descriptor
  }
  return { exited: () => exitedHow };
}

export async function ensure(logger: Logger): Promise<StepStatus> {
  const before = await check();
  if (before.present) return before;
  if (process.env.DOCKER_HOST && dockerSocketPath() === undefined) {
    throw new EnvironmentError(`${step}: DOCKER_HOST=${process.env.DOCKER_HOST} does not answer`, "start that engine, or unset DOCKER_HOST to let havoc start a local one");
  }
  if (!isRoot()) {
    throw new EnvironmentError(`${step}: no Docker engine answers and starting one needs root`, "start dockerd yourself (sudo dockerd &) or set DOCKER_HOST to a running engine");
  }
  if (!(await findDockerd())) await aptInstall(step, ["docker.io"], logger);
  const dockerdPath = await findDockerd();
  if (!dockerdPath) throw new EnvironmentError(`${step}: docker.io installed but no dockerd in ${dockerdCandidates.join(" or ")}`, "reinstall: apt-get install --reinstall docker.io");

  // A dockerd that is already starting (another run, or a slow start) must not get a twin fighting over its data root.
  const runningPid = await output("pidof", ["dockerd"]);
  let exited: () => string | undefined = () => undefined;
  if (runningPid) logger.info(`${step}: dockerd already running (pid ${runningPid}), waiting for it to answer`);
  else exited = (await startDockerd(dockerdPath, logger)).exited;

  const socket = dockerSocketPath() ?? "/var/run/docker.sock";
  const startedMs = Date.now();
  const up = await pollUntil(async () => {
    if (exited() !== undefined) return true; // stop polling; reported below
    return existsSync(socket) && (await pingDocker(1000));
  }, startDeadlineMs, 150);
  const how = exited();
  if (how !== undefined || !up) {
    const why = how !== undefined ? `dockerd exited (${how})` : `dockerd did not answer within ${startDeadlineMs / 1000} s`;
    throw new EnvironmentError(`${step}: ${why}; last lines of ${dockerdLogPath()}:\n${await tailOfLog(20)}`, `read ${dockerdLogPath()}; try running dockerd in a terminal to see why it stops`);
  }
  logger.info(`${step}: answering after ${Date.now() - startedMs} ms`);
  return check();
}

export const dockerEngine: BootstrapStep = { name: step, check, ensure };
