import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { EnvironmentError, errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { dockerClient } from "../docker/client.ts";
import { isIgnored, parseDockerignore, type IgnoreRule } from "./dockerignore.ts";

export interface ImageSpec {
  tag: string;
  contextDir: string;
  /** Runs before hashing, e.g. to bundle an app into the context. */
  prepare?: () => Promise<void>;
  /** Dockerfile path inside the context. Default "Dockerfile". */
  dockerfile?: string;
  /** Build arguments (ARG). */
  buildArgs?: Record<string, string>;
  /** Stage of a multi-stage Dockerfile. */
  target?: string;
}

export const contextHashLabel = "havoc.context-hash";
const failureTailLines = 30;

export interface ContextFile {
  /** Relative, with "/" separators. */
  path: string;
  content: Uint8Array;
  executable?: boolean;
}

/** sha256 over files sorted by path; length-prefixed so no two different file sets can run together. */
export function hashFiles(files: ContextFile[]): string {
  const hash = createHash("sha256");
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    hash.update(`${file.path}\0${file.executable ? "x" : "-"}\0${file.content.length}\0`);
    hash.update(file.content);
  }
  return hash.digest("hex");
}

/** Files Docker never leaves out of what it is sent, even when .dockerignore lists them (it needs them). */
const alwaysSent = new Set([".dockerignore"]);

async function listFiles(root: string, ignore: readonly IgnoreRule[] = [], keep: ReadonlySet<string> = alwaysSent, dir = root, out: ContextFile[] = []): Promise<ContextFile[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    const path = relative(root, full).split(sep).join("/");
    // An ignored folder is skipped whole unless a "!" rule could bring something under it back.
    if (ignore.length > 0 && !keep.has(path) && isIgnored(ignore, path) && (!entry.isDirectory() || !ignore.some((r) => r.negate))) continue;
    if (entry.isDirectory()) await listFiles(root, ignore, keep, full, out);
    else if (entry.isSymbolicLink()) out.push({ path, content: Buffer.from(`symlink:${await readlink(full)}`) });
    else if (entry.isFile()) out.push({ path, content: await readFile(full), executable: ((await lstat(full)).mode & 0o111) !== 0 });
  }
  return out;
}

/** The context's .dockerignore rules (none without the file). */
async function ignoreRules(contextDir: string): Promise<IgnoreRule[]> {
  const file = join(contextDir, ".dockerignore");
  return existsSync(file) ? parseDockerignore(await readFile(file, "utf8")) : [];
}

/** The files Docker would be sent for this context: all of them, less those .dockerignore leaves out. */
async function contextFiles(contextDir: string, dockerfile = "Dockerfile"): Promise<ContextFile[]> {
  return listFiles(contextDir, await ignoreRules(contextDir), new Set([...alwaysSent, dockerfile]));
}

/** Hash of every file in the build context: the image is rebuilt exactly when this changes. */
export async function contextHash(contextDir: string): Promise<string> {
  return hashFiles(await contextFiles(contextDir));
}

/**
 * What an image's label records: the context hash, plus how it is built when that is not the default (Dockerfile
 * path, args, target), so changing an ARG rebuilds too. Images with default options keep their plain context hash.
 */
export async function imageSpecHash(spec: ImageSpec): Promise<string> {
  const files = await contextFiles(spec.contextDir, spec.dockerfile);
  const how = { dockerfile: spec.dockerfile ?? "Dockerfile", args: Object.entries(spec.buildArgs ?? {}).sort(), target: spec.target ?? null };
  if (how.dockerfile === "Dockerfile" && how.args.length === 0 && how.target === null) return hashFiles(files);
  return createHash("sha256").update(`${hashFiles(files)}\0${JSON.stringify(how)}`).digest("hex");
}

async function existingImage(tag: string): Promise<{ id: string; hash: string | undefined } | undefined> {
  try {
    const image = await dockerClient().getImage(tag).inspect();
    return { id: image.Id, hash: image.Config?.Labels?.[contextHashLabel] };
  } catch {
    return undefined;
  }
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
}

async function build(spec: ImageSpec, hash: string, logger: Logger): Promise<void> {
  // System tar instead of an npm packer: the context is small and tar is on every Debian host. With a .dockerignore,
  // tar gets the list of kept files (Docker's own client filters too: the daemon takes the context as sent).
  const ignore = await ignoreRules(spec.contextDir);
  const tar =
    ignore.length === 0
      ? spawn("tar", ["-C", spec.contextDir, "-c", "."], { stdio: ["ignore", "pipe", "inherit"] })
      : spawn("tar", ["-C", spec.contextDir, "-c", "--null", "--no-recursion", "-T", "-"], { stdio: ["pipe", "pipe", "inherit"] });
  if (ignore.length > 0) tar.stdin!.end((await contextFiles(spec.contextDir, spec.dockerfile)).map((f) => `${f.path}\0`).join(""));
  const lines: string[] = [];
  const keep = (line: string) => {
    lines.push(line);
    if (lines.length > failureTailLines) lines.shift();
  };
  let failure: string | undefined;
  try {
    // networkmode host: RUN steps (apt-get) then need nothing from docker0's NAT/DNS, which not every host provides.
    // forcerm: the classic builder otherwise keeps the container of a failed step.
    const options = {
      t: spec.tag,
      labels: { [contextHashLabel]: hash },
      networkmode: "host",
      forcerm: true,
      ...(spec.dockerfile ? { dockerfile: spec.dockerfile } : {}),
      ...(spec.buildArgs && Object.keys(spec.buildArgs).length > 0 ? { buildargs: spec.buildArgs } : {}),
      ...(spec.target ? { target: spec.target } : {}),
    };
    const stream = await dockerClient().buildImage(tar.stdout, options);
    await new Promise<void>((resolve, reject) =>
      dockerClient().modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (event: BuildEvent) => {
          if (event.error) failure = event.errorDetail?.message ?? event.error;
          for (const line of (event.stream ?? event.error ?? "").split("\n")) {
            if (line.trim() === "") continue;
            keep(line);
            if (/^Step \d+\/\d+ :/.test(line)) logger.info(`image ${spec.tag}: ${line.length > 140 ? line.slice(0, 137) + "..." : line}`);
          }
        },
      ),
    );
  } catch (error) {
    failure ??= errorMessage(error);
  }
  if (failure !== undefined) {
    for (const line of lines) logger.info(`  | ${line}`);
    const dockerfile = spec.dockerfile ?? "Dockerfile";
    const extra = [spec.dockerfile ? `-f ${join(spec.contextDir, dockerfile)}` : "", ...Object.entries(spec.buildArgs ?? {}).map(([k, v]) => `--build-arg ${k}=${v}`), spec.target ? `--target ${spec.target}` : ""].filter(Boolean).join(" ");
    throw new EnvironmentError(`image ${spec.tag}: build failed: ${failure}`, `fix ${join(spec.contextDir, dockerfile)}; reproduce with: /usr/bin/docker build --network host ${extra ? `${extra} ` : ""}-t ${spec.tag} ${spec.contextDir}`);
  }
}

/** Builds each image whose context changed since its last build, one after another (2 cores: no gain in parallel). */
export async function ensureImages(specs: ImageSpec[], logger: Logger): Promise<void> {
  for (const spec of specs) {
    await spec.prepare?.();
    const hash = await imageSpecHash(spec);
    const existing = await existingImage(spec.tag);
    if (existing?.hash === hash) {
      logger.info(`image ${spec.tag}: up to date (${hash.slice(0, 12)})`);
      continue;
    }
    logger.info(`image ${spec.tag}: building (${existing ? "context changed" : "not built yet"})`);
    const startedMs = Date.now();
    await build(spec, hash, logger);
    logger.info(`image ${spec.tag}: built in ${((Date.now() - startedMs) / 1000).toFixed(1)} s`);
    // The replaced image is now dangling; drop it so every context edit does not leave one behind (in use: keep it).
    const rebuilt = await existingImage(spec.tag);
    if (existing && rebuilt && rebuilt.id !== existing.id) await dockerClient().getImage(existing.id).remove().catch(() => undefined);
  }
}

/** For `havoc doctor`: which images are built and current, without building. */
export async function checkImages(specs: ImageSpec[]): Promise<{ present: boolean; detail: string }> {
  const stale: string[] = [];
  for (const spec of specs) {
    const existing = await existingImage(spec.tag);
    if (existing?.hash !== (await imageSpecHash(spec))) stale.push(spec.tag);
  }
  return { present: stale.length === 0, detail: stale.length === 0 ? `${specs.length} images current` : `to build: ${stale.join(", ")}` };
}
