import type { Readable } from "node:stream";
import type Dockerode from "dockerode";
import { EnvironmentError, errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { Engine } from "./engines.ts";

/** One image a host needs: the local reference (a run tag or a tool image's tag) and the tag it keeps there as a cache. */
export interface ImageNeed {
  ref: string;
  /** Tag given to the image on the remote engine, so a later run finds it there by id (e.g. "havoc/trackr-app:dev"). */
  cacheTag?: string;
}

/** How the image reached the engine. */
export interface ImagePresence {
  /** Image id (sha256:...): the same on both engines, since `docker save`/`load` keep the image's config. */
  id: string;
  transferred: boolean;
  ms: number;
  /** Bytes streamed (transferred only). */
  bytes?: number;
}

/**
 * Makes the local image `need.ref` present on a remote engine: nothing when an image of the same id is there already,
 * else `docker save <id>` here streamed into `docker load` there (no registry involved). Containers on that engine
 * are created from the id, which no other checkout's re-tagging can move.
 */
export async function ensureImageOn(local: Dockerode, engine: Engine, need: ImageNeed, log: Logger): Promise<ImagePresence> {
  const startedMs = Date.now();
  const id = (await local.getImage(need.ref).inspect()).Id;
  const present = await engine.docker
    .getImage(id)
    .inspect()
    .then(() => true)
    .catch(() => false);
  let bytes: number | undefined;
  if (!present) {
    bytes = await log.step(`copying image ${need.ref} (${id.slice(7, 19)}) to host ${engine.name}`, async () => {
      const archive = (await local.getImage(id).get()) as unknown as Readable;
      let streamed = 0;
      archive.on("data", (chunk: Buffer) => (streamed += chunk.length));
      const response = (await engine.docker.loadImage(archive, { quiet: true })) as unknown as Readable;
      const answer = await readAll(response);
      const failure = loadFailure(answer);
      if (failure) throw new EnvironmentError(`host ${engine.name}: docker load of ${need.ref} failed: ${failure}`, `check the disk space of ${engine.describe}`);
      return streamed;
    });
    await engine.docker
      .getImage(id)
      .inspect()
      .catch((error: unknown) => {
        throw new EnvironmentError(`host ${engine.name}: image ${need.ref} (${id}) is not there after docker load: ${errorMessage(error)}`);
      });
  }
  if (need.cacheTag) {
    const [repo, tag] = splitTag(need.cacheTag);
    await engine.docker.getImage(id).tag({ repo, tag });
  }
  return { id, transferred: !present, ms: Date.now() - startedMs, ...(bytes !== undefined ? { bytes } : {}) };
}

/**
 * Every image each remote host needs, hosts in parallel (images one after another per host: they share layers).
 * Returns host -> local ref -> image id to create containers from.
 */
export async function distributeImages(local: Dockerode, needs: ReadonlyMap<Engine, readonly ImageNeed[]>, log: Logger): Promise<Map<string, Map<string, ImagePresence>>> {
  const out = new Map<string, Map<string, ImagePresence>>();
  await Promise.all(
    [...needs].map(async ([engine, images]) => {
      const byRef = new Map<string, ImagePresence>();
      out.set(engine.name, byRef);
      for (const need of images) if (!byRef.has(need.ref)) byRef.set(need.ref, await ensureImageOn(local, engine, need, log));
    }),
  );
  return out;
}

/** "repo/name:tag" -> ["repo/name", "tag"] (a registry port's colon is not the tag's). */
export function splitTag(reference: string): [string, string] {
  const colon = reference.lastIndexOf(":");
  if (colon > reference.lastIndexOf("/")) return [reference.slice(0, colon), reference.slice(colon + 1)];
  return [reference, "latest"];
}

/** The error a `docker load` answer reports (JSON lines, one with errorDetail on failure), else undefined. */
export function loadFailure(answer: string): string | undefined {
  for (const line of answer.split("\n")) {
    if (!line.trim()) continue;
    try {
      const parsed = JSON.parse(line) as { error?: string; errorDetail?: { message?: string } };
      if (parsed.error || parsed.errorDetail) return parsed.errorDetail?.message ?? parsed.error;
    } catch {
      // A non-JSON line is progress text.
    }
  }
  return undefined;
}

function readAll(stream: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}
