import type { ImageSpec } from "../bootstrap/images.ts";
import { trackrImages } from "./trackr/images.ts";

/**
 * Images the harness itself runs (fault sidecars, toxiproxy, test nodes), built before every run so a fault
 * never waits for a build mid-schedule. Each is skipped in milliseconds when its context is unchanged.
 */
export const toolImages: ImageSpec[] = [];

/** Every image havoc knows how to build, by tag. Scenario images not listed here must already exist locally. */
const buildable: readonly ImageSpec[] = [...trackrImages, ...toolImages];

export function buildableImage(tag: string): ImageSpec | undefined {
  return buildable.find((spec) => spec.tag === tag);
}

/** The build specs for the images a set of nodes uses (deduplicated). */
export function imagesToBuild(imageTags: readonly string[]): ImageSpec[] {
  const nodeImages = [...new Set(imageTags)].flatMap((tag) => buildableImage(tag) ?? []);
  return [...new Set([...nodeImages, ...toolImages])];
}

/** Every buildable image (for `havoc setup`). */
export function allBuildableImages(): ImageSpec[] {
  return [...buildable];
}
