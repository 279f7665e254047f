import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { EnvironmentError } from "../../core/errors.ts";
import type { z } from "zod";
import { ImageBuild, type NodeSpec } from "../../core/topology.ts";
import type { ImageSpec } from "../bootstrap/images.ts";
import { faketimeImage, stressImage } from "./resource-clock-images.ts";
import { toxiproxyImage } from "./toxiproxy/images.ts";

/**
 * Images the harness itself runs (fault sidecars, toxiproxy, the small test node, libfaketime's base), built before
 * every run so a fault never waits for a build mid-schedule. Each is skipped in milliseconds when its context is
 * unchanged. Every other image comes from the scenario's own nodes (`build`), the reference systems' included: the
 * harness keeps no list of systems.
 */
export const toolImages: readonly ImageSpec[] = [
  stressImage,
  faketimeImage,
  toxiproxyImage,
  /** Network-fault sidecar (faults/network/sidecar.ts). */
  { tag: "havoc/netfault:dev", contextDir: fileURLToPath(new URL("./netfault/", import.meta.url)) },
  /** The small test node (testnode/README.md). */
  { tag: "havoc/testnode:dev", contextDir: fileURLToPath(new URL("./testnode/", import.meta.url)) },
];

/** A build's `prepare` command takes at most this long (an esbuild bundle takes about a second). */
const prepareTimeoutMs = 120_000;

function prepareStep(build: ImageBuild): (() => Promise<void>) | undefined {
  const argv = build.prepare;
  if (!argv) return undefined;
  return () =>
    new Promise((resolve, reject) => {
      execFile(argv[0]!, argv.slice(1), { cwd: build.context, timeout: prepareTimeoutMs, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
        if (!error) return resolve();
        const tail = `${stdout}${stderr}`.trim().split("\n").slice(-20).join("\n");
        reject(new EnvironmentError(`image build: prepare \`${argv.join(" ")}\` in ${build.context} failed: ${error.message}${tail ? `\n${tail}` : ""}`, "fix the prepare command of the node's build"));
      });
    });
}

/**
 * Images of nodes that name a `build`: one spec per tag, rebuilt when their context, Dockerfile, args or target
 * changed. The context must be absolute (the scenario loader resolves it).
 */
export function nodeBuildImages(nodes: readonly NodeSpec[]): ImageSpec[] {
  const byTag = new Map<string, ImageSpec>();
  for (const node of nodes) {
    if (!node.build || byTag.has(node.image)) continue;
    const { context, dockerfile, args, target } = node.build;
    const prepare = prepareStep(node.build);
    byTag.set(node.image, {
      tag: node.image,
      contextDir: context,
      ...(dockerfile !== "Dockerfile" ? { dockerfile } : {}),
      ...(Object.keys(args).length > 0 ? { buildArgs: args } : {}),
      ...(target ? { target } : {}),
      ...(prepare ? { prepare } : {}),
    });
  }
  return [...byTag.values()];
}

/**
 * Every image a set of nodes needs built: the harness's tool images first (a node image may be built FROM one, e.g.
 * havoc/faketime:dev for clock skew), then the nodes' own builds. A node with only `image` must find it in the
 * local engine (nothing is pulled).
 */
export function imagesForNodes(nodes: readonly NodeSpec[]): ImageSpec[] {
  return [...toolImages, ...nodeBuildImages(nodes)];
}

/** The build spec of one image given as a node's fields (`{ image, build }`), e.g. for a test that starts it alone. */
export function imageSpecOf(node: { image: string; build: z.input<typeof ImageBuild> }): ImageSpec {
  return nodeBuildImages([{ name: "image", image: node.image, build: ImageBuild.parse(node.build) } as NodeSpec])[0]!;
}
