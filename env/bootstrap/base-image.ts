import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EnvironmentError, errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { dockerClient } from "../docker/client.ts";
import { aptInstall, isExecutable, removeStaleDirs, run, type BootstrapStep, type StepStatus } from "./shared.ts";

const step = "base image";
export const baseImageTag = "debian:bookworm";
const mirror = "http://deb.debian.org/debian";
// Long enough for a real registry to start sending layers; here (no registry) it fails on DNS in milliseconds.
const pullDeadlineMs = 20_000;

export async function check(): Promise<StepStatus> {
  try {
    const image = await dockerClient().getImage(baseImageTag).inspect();
    const origin = image.Config?.Labels?.["havoc.seeded-by"] === "debootstrap" ? "seeded by debootstrap" : "pulled";
    return { present: true, detail: `${baseImageTag} ${image.Id.slice(7, 19)}, ${Math.round(image.Size / 1e6)} MB, ${origin}` };
  } catch {
    return { present: false, detail: `${baseImageTag} missing` };
  }
}

function follow(stream: NodeJS.ReadableStream): Promise<unknown[]> {
  return new Promise((resolve, reject) =>
    dockerClient().modem.followProgress(stream, (error: Error | null, events: unknown[]) => (error ? reject(error) : resolve(events))),
  );
}

async function tryPull(): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), pullDeadlineMs);
  try {
    await follow(await dockerClient().pull(baseImageTag, { abortSignal: abort.signal }));
  } finally {
    clearTimeout(timer);
  }
}

/** Unmounts anything debootstrap left mounted inside `dir` (proc, sys) so removing it cannot reach the host's. */
async function unmountInside(dir: string): Promise<void> {
  const mounts = await readFile("/proc/mounts", "utf8").catch(() => "");
  const inside = mounts
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((point) => point.startsWith(dir + "/"))
    .sort((a, b) => b.length - a.length); // deepest first
  for (const point of inside) await run("umount", ["-l", point]);
}

async function debootstrap(dir: string, logger: Logger): Promise<void> {
  // Per-package lines alternate (Retrieving/Validating/Extracting ...); print only when the phase changes.
  const phases: Record<string, string> = { Retrieving: "downloading", Validating: "downloading", Extracting: "extracting", Installing: "unpacking", Unpacking: "unpacking", Configuring: "configuring", Base: "done" };
  let phase = "";
  let packages = 0;
  const result = await run("debootstrap", ["--variant=minbase", "bookworm", dir, mirror], {
    onLine: (line) => {
      const word = /^I: (\w+)/.exec(line)?.[1] ?? "";
      if (word === "Retrieving") packages += 1;
      const next = phases[word];
      if (next && next !== phase) {
        phase = next;
        logger.info(`${step}: debootstrap ${next}${next === "downloading" ? "" : ` (${packages} files fetched)`}`);
      }
    },
  });
  if (result.code !== 0) {
    throw new EnvironmentError(`${step}: debootstrap failed (exit ${result.code}):\n${result.tail.join("\n")}`, `check that ${mirror} is reachable through apt's proxy settings`);
  }
}

/** Streams `tar -C dir -c .` into the engine as `debian:bookworm`, with the CMD the official image has. */
async function importDir(dir: string): Promise<void> {
  const [repo, tag] = baseImageTag.split(":");
  const tar = spawn("tar", ["-C", dir, "--numeric-owner", "-c", "."], { stdio: ["ignore", "pipe", "pipe"] });
  let tarError = "";
  tar.stderr.on("data", (chunk: Buffer) => (tarError += chunk.toString()));
  const tarExit = new Promise<number | null>((resolve) => tar.on("close", resolve));
  const changes = ['CMD ["bash"]', "LABEL havoc.seeded-by=debootstrap"];
  await follow(await dockerClient().importImage(tar.stdout, { repo, tag, changes }));
  const code = await tarExit;
  if (code !== 0) throw new EnvironmentError(`${step}: tar of the debootstrap tree failed (exit ${code}): ${tarError.trim()}`);
}

export async function ensure(logger: Logger): Promise<StepStatus> {
  const before = await check();
  if (before.present) return before;
  logger.info(`${step}: pulling ${baseImageTag} (deadline ${pullDeadlineMs / 1000} s)`);
  try {
    await tryPull();
    return check();
  } catch (error) {
    logger.info(`${step}: pull failed (${errorMessage(error).split("\n")[0]}); seeding it with debootstrap`);
  }
  if (!(await isExecutable("/usr/sbin/debootstrap"))) await aptInstall(step, ["debootstrap"], logger);
  // Trees left by interrupted runs are 200 MB each; a debootstrap takes under a minute here, so 1 h old is stale.
  await removeStaleDirs(tmpdir(), "havoc-debootstrap-", 60 * 60_000, unmountInside);
  const dir = await mkdtemp(join(tmpdir(), "havoc-debootstrap-"));
  try {
    await debootstrap(dir, logger);
    logger.info(`${step}: importing the tree as ${baseImageTag}`);
    await importDir(dir);
  } finally {
    await unmountInside(dir);
    await rm(dir, { recursive: true, force: true });
  }
  const after = await check();
  if (!after.present) throw new EnvironmentError(`${step}: import finished but ${baseImageTag} is not in the engine`, `try: tar -C DIR -c . | /usr/bin/docker import - ${baseImageTag}`);
  return after;
}

export const baseImage: BootstrapStep = { name: step, check, ensure };
