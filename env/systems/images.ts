import { fileURLToPath } from "node:url";
import type { NodeSpec } from "../../core/topology.ts";
import type { ImageSpec } from "../bootstrap/images.ts";
import { identityServerImage } from "./identity/images.ts";
import { galeraImages } from "./galera/images.ts";
import { trackrImages } from "./trackr/images.ts";
import { twozoneProxyImage } from "./twozone/images.ts";
import { pghaImages } from "./pgha/images.ts";
import { faketimeImage, stressImage } from "./tools/resource-clock-images.ts";
import { toxiproxyImage } from "./tools/toxiproxy/images.ts";

/**
 * Images the harness itself runs (fault sidecars, toxiproxy, test nodes), built before every run so a fault
 * never waits for a build mid-schedule. Each is skipped in milliseconds when its context is unchanged.
 */
export const toolImages: ImageSpec[] = [];
toolImages.push(stressImage, faketimeImage);
toolImages.push(toxiproxyImage);
/** Network-fault sidecar (faults/network/sidecar.ts) and the small test node (tools/testnode/README.md). */
toolImages.push({ tag: "havoc/netfault:dev", contextDir: fileURLToPath(new URL("./tools/netfault/", import.meta.url)) });
toolImages.push({ tag: "havoc/testnode:dev", contextDir: fileURLToPath(new URL("./tools/testnode/", import.meta.url)) });
/** Debian's haproxy: the base the reference systems' balancers and routers are built FROM (before them, as a tool image). */
toolImages.push({ tag: "havoc/haproxy:dev", contextDir: fileURLToPath(new URL("./tools/haproxy/", import.meta.url)) });

/** Every image havoc knows how to build, by tag. Scenario images not listed here must already exist locally. */
const buildable: readonly ImageSpec[] = [...toolImages, ...trackrImages, twozoneProxyImage, identityServerImage, ...pghaImages, ...galeraImages];

export function buildableImage(tag: string): ImageSpec | undefined {
  return buildable.find((spec) => spec.tag === tag);
}

/** The build specs for the images a set of nodes uses (deduplicated). */
export function imagesToBuild(imageTags: readonly string[]): ImageSpec[] {
  const nodeImages = [...new Set(imageTags)].flatMap((tag) => buildableImage(tag) ?? []);
  // Tool images first: node images may be built FROM one of them (e.g. havoc/faketime:dev for clock skew).
  return [...new Set([...toolImages, ...nodeImages])];
}

/** Every buildable image (for `havoc setup`). */
export function allBuildableImages(): ImageSpec[] {
  return [...buildable];
}

/**
 * Images of nodes that name a `build` (the user's own Dockerfiles): one spec per tag, rebuilt like havoc's own when
 * their context, Dockerfile, args or target changed. The context must be absolute (the scenario loader resolves it).
 */
export function nodeBuildImages(nodes: readonly NodeSpec[]): ImageSpec[] {
  const byTag = new Map<string, ImageSpec>();
  for (const node of nodes) {
    if (!node.build || byTag.has(node.image)) continue;
    const { context, dockerfile, args, target } = node.build;
    byTag.set(node.image, {
      tag: node.image,
      contextDir: context,
      ...(dockerfile !== "Dockerfile" ? { dockerfile } : {}),
      ...(Object.keys(args).length > 0 ? { buildArgs: args } : {}),
      ...(target ? { target } : {}),
    });
  }
  return [...byTag.values()];
}

/** Every image a set of nodes needs built: havoc's tool images, havoc's own node images, the user's builds. */
export function imagesForNodes(nodes: readonly NodeSpec[]): ImageSpec[] {
  return [...imagesToBuild(nodes.filter((n) => !n.build).map((n) => n.image)), ...nodeBuildImages(nodes)];
}
