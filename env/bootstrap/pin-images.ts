import { errorMessage } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import type { Topology } from "../../core/topology.ts";
import { dockerClient } from "../docker/client.ts";
import { contextHash, contextHashLabel, ensureImages, type ImageSpec } from "./images.ts";

/** Attempts at pinning one image whose `:dev` tag another checkout keeps moving. */
const ATTEMPTS = 3;

export interface PinnedImages {
  /** `:dev` tag -> the run's own tag of the image built from this checkout's context. */
  readonly byTag: ReadonlyMap<string, string>;
  /** The topology with every pinned node image replaced by its run tag. */
  apply(topology: Topology): Topology;
  /** Removes the run tags (an image no other tag or container holds is deleted with its tag). Never throws. */
  release(): Promise<void>;
}

/**
 * Pins the images a run's nodes use under a tag of the run's own, `havoc-run/<repo>:<runId>`, after checking the image
 * carries this checkout's context hash, and starts the nodes from that tag.
 *
 * Why: checkouts sharing one Docker engine (several branches on a desk machine, CI beside a developer) share the
 * `:dev` tags. Each run rebuilds a `:dev` image whose context differs from its own and deletes the image it replaced;
 * measured here: another checkout's run re-tagged `havoc/trackr-app:dev` between this run's build and its container
 * start, so the run's apps came up with another app version, and once `:dev` had moved, the other run deleted this
 * run's image by id. Docker refuses to delete by id an image referenced by more than one tag unless forced, so the
 * run tags its image twice, in two repositories (`havoc-run/...` and `havoc-run-hold/...`): after `:dev` moves on, two
 * references are still left. The run tag keeps pointing at this checkout's image whatever happens to `:dev`.
 */
export async function pinImages(specs: readonly ImageSpec[], runId: string, log: Logger): Promise<PinnedImages> {
  const byTag = new Map<string, string>();
  const holds: string[] = [];
  // The hold tags go last: an image whose other tags are gone is deleted with its last one.
  const releaseAll = () => release([...byTag.values(), ...holds]);
  try {
    for (const spec of specs) byTag.set(spec.tag, await pinOne(spec, runId, holds, log));
  } catch (error) {
    await releaseAll();
    throw error;
  }
  return {
    byTag,
    apply: (topology) => ({ ...topology, nodes: topology.nodes.map((node) => ({ ...node, image: byTag.get(node.image) ?? node.image })) }),
    release: releaseAll,
  };
}

/** Repositories of the run tags: nodes start from the first; the second only holds a second reference. */
export const RUN_TAG_REPOSITORIES = ["havoc-run", "havoc-run-hold"] as const;

async function pinOne(spec: ImageSpec, runId: string, holds: string[], log: Logger): Promise<string> {
  const name = spec.tag.replace(/:[^:/]+$/, "").replace(/\//g, "-");
  const [pinned, hold] = RUN_TAG_REPOSITORIES.map((repository) => `${repository}/${name}:${runId}`) as [string, string];
  const hash = await contextHash(spec.contextDir);
  for (let attempt = 1; ; attempt++) {
    const image = await dockerClient()
      .getImage(spec.tag)
      .inspect()
      .catch(() => undefined);
    if (image?.Config?.Labels?.[contextHashLabel] === hash) {
      try {
        // By id: whatever `:dev` points to by now, the run tag goes on the image whose label was just checked.
        for (const repository of RUN_TAG_REPOSITORIES) await dockerClient().getImage(image.Id).tag({ repo: `${repository}/${name}`, tag: runId });
        holds.push(hold);
        return pinned;
      } catch (error) {
        log.info(`image ${spec.tag}: pinning ${image.Id.slice(7, 19)} as ${pinned} failed (${errorMessage(error)}); trying again`);
      }
    } else if (attempt < ATTEMPTS) {
      log.info(`image ${spec.tag}: another checkout re-tagged it (context ${String(image?.Config?.Labels?.[contextHashLabel]).slice(0, 12)}, ours ${hash.slice(0, 12)}); rebuilding`);
    }
    if (attempt >= ATTEMPTS) throw new Error(`image ${spec.tag}: could not pin this checkout's build (context ${hash.slice(0, 12)}) in ${ATTEMPTS} attempts`);
    await ensureImages([spec], log);
  }
}

async function release(tags: readonly string[]): Promise<void> {
  for (const tag of tags) await dockerClient().getImage(tag).remove().catch(() => undefined);
}
