import { spawn } from "node:child_process";
import { access, constants, readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { EnvironmentError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";

/** What `check()` reports: never installs anything, fast enough for `havoc doctor`. */
export interface StepStatus {
  present: boolean;
  /** One line, e.g. the version found or what is missing. */
  detail: string;
}

export interface BootstrapStep {
  name: string;
  check(): Promise<StepStatus>;
  /** Installs/starts/builds what is missing; idempotent; throws EnvironmentError naming the step. */
  ensure(logger: Logger): Promise<StepStatus>;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines of stdout+stderr interleaved, for error reports. */
  tail: string[];
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Called per output line (stdout and stderr), e.g. to print compact progress. */
  onLine?: (line: string) => void;
  tailLines?: number;
}

/** Runs a command to completion, keeping only the tail of its output (never throws for a non-zero exit). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  const keep = options.tailLines ?? 40;
  const tail: string[] = [];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const onChunk = (carry: { rest: string }) => (chunk: Buffer) => {
      const lines = (carry.rest + chunk.toString("utf8")).split(/\r?\n|\r/);
      carry.rest = lines.pop() ?? "";
      for (const line of lines) pushLine(line);
    };
    const pushLine = (line: string) => {
      if (line.trim() === "") return;
      tail.push(line);
      if (tail.length > keep) tail.shift();
      options.onLine?.(line);
    };
    const out = { rest: "" };
    const err = { rest: "" };
    child.stdout.on("data", onChunk(out));
    child.stderr.on("data", onChunk(err));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      pushLine(out.rest);
      pushLine(err.rest);
      resolve({ code, signal, tail });
    });
  });
}

/** Runs a command and returns its trimmed stdout+stderr, or undefined when it is missing or fails. */
export async function output(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string | undefined> {
  try {
    const result = await run(command, args, { env, tailLines: 200 });
    return result.code === 0 ? result.tail.join("\n").trim() : undefined;
  } catch {
    return undefined;
  }
}

export async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * `apt-get install -y` of Debian packages, printing compact progress (one line per phase change, not per
 * package). Recommends stay on: debootstrap needs debian-archive-keyring from them. `apt-get update` runs only when a package has no install candidate, since it costs seconds.
 */
export function aptInstall(step: string, packages: string[], logger: Logger): Promise<void> {
  return oneAtATime(aptQueue, `${step} (${packages.join(" ")})`, () => aptInstallNow(step, packages, logger), (holder) => logger.info(`${step}: waiting for apt, in use by ${holder}`));
}

/** Work of this process that must not overlap, first come first served; `names` holds what is running and waiting. */
export interface WorkQueue {
  tail: Promise<void>;
  names: string[];
}

export function workQueue(): WorkQueue {
  return { tail: Promise.resolve(), names: [] };
}

/** apt installs one at a time: dpkg takes one lock, and interleaved apt progress would be unreadable. */
const aptQueue = workQueue();

/** Runs `work` once everything queued before it has settled; `onWait` hears who holds the queue when it must wait. */
export function oneAtATime<T>(queue: WorkQueue, name: string, work: () => Promise<T>, onWait: (holder: string) => void): Promise<T> {
  if (queue.names.length > 0) onWait(queue.names[0]!);
  queue.names.push(name);
  const turn = queue.tail.then(work).finally(() => queue.names.shift());
  queue.tail = turn.then(
    () => undefined,
    () => undefined,
  );
  return turn;
}

async function aptInstallNow(step: string, packages: string[], logger: Logger): Promise<void> {
  if (!isRoot()) {
    throw new EnvironmentError(`${step}: installing ${packages.join(" ")} needs root`, `run as root, or install them yourself: sudo apt-get install -y ${packages.join(" ")}`);
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  // Another session may hold the dpkg lock for a while; wait for it instead of failing at once.
  const lockWait = ["-o", "DPkg::Lock::Timeout=300"];
  const policy = (await output("apt-cache", ["policy", ...packages], env)) ?? "";
  const candidates = [...policy.matchAll(/Candidate: (\S+)/g)].map((m) => m[1]);
  if (candidates.length < packages.length || candidates.includes("(none)")) {
    logger.info(`${step}: apt-get update (no install candidate yet)`);
    const update = await run("apt-get", [...lockWait, "update"], { env });
    if (update.code !== 0) {
      throw new EnvironmentError(`${step}: apt-get update failed:\n${update.tail.join("\n")}`, "check that the Debian mirror in /etc/apt/sources.list(.d) is reachable");
    }
  }
  // apt interleaves unpacking and configuring; print each phase once, in order, so progress never goes back.
  const phases: [RegExp, string][] = [[/^Get:/, "downloading"], [/^Unpacking /, "unpacking"], [/^Setting up /, "configuring"], [/^Processing triggers /, "finishing"]];
  let reached = -1;
  let fetched = 0;
  const result = await run("apt-get", [...lockWait, "install", "-y", ...packages], {
    env,
    onLine: (line) => {
      if (line.startsWith("Get:")) fetched += 1;
      const index = phases.findIndex(([pattern]) => pattern.test(line));
      if (index <= reached) return;
      reached = index;
      logger.info(`${step}: apt ${phases[index]?.[1]}${index === 0 ? "" : ` (${fetched} packages fetched)`}`);
    },
  });
  if (result.code !== 0) {
    throw new EnvironmentError(
      `${step}: apt-get install ${packages.join(" ")} failed (exit ${result.code}):\n${result.tail.join("\n")}`,
      `run: DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages.join(" ")}`,
    );
  }
}

/** Polls `probe` every `intervalMs` until it returns true or `deadlineMs` passes (no fixed sleeps). */
export async function pollUntil(probe: () => Promise<boolean>, deadlineMs: number, intervalMs = 200): Promise<boolean> {
  const endMs = Date.now() + deadlineMs;
  for (;;) {
    if (await probe()) return true;
    const leftMs = endMs - Date.now();
    if (leftMs <= 0) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(intervalMs, leftMs)));
  }
}

/**
 * Removes `<parent>/<prefix>*` directories older than `olderThanMs`: what an interrupted run (Ctrl-C, SIGKILL)
 * left behind. The age limit keeps a concurrent run's fresh directory safe. `beforeRemove` may unmount first.
 */
export async function removeStaleDirs(parent: string, prefix: string, olderThanMs: number, beforeRemove?: (dir: string) => Promise<void>): Promise<void> {
  const names = await readdir(parent).catch(() => [] as string[]);
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const dir = join(parent, name);
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory() || Date.now() - info.mtimeMs < olderThanMs) continue;
    await beforeRemove?.(dir);
    await rm(dir, { recursive: true, force: true });
  }
}
