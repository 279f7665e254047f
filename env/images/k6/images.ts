import { copyFile, mkdir, stat, utimes } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ImageSpec } from "../../bootstrap/images.ts";
import { k6Path } from "../../bootstrap/go-tools.ts";
import { EnvironmentError } from "../../../core/errors.ts";

const contextDir = fileURLToPath(new URL(".//", import.meta.url));
/** Inside the context; git-ignored (env/images/*\/bin/). */
const binaryInContext = fileURLToPath(new URL("./bin/k6", import.meta.url));

/**
 * Copies the k6 the bootstrap built into the build context, so a generator on another host runs the same binary as a
 * k6 process here. Skipped when size and mtime already match: the context hash (and so the image) then stays the same.
 */
async function copyK6Binary(): Promise<void> {
  const source = k6Path();
  const built = await stat(source).catch(() => undefined);
  if (!built) throw new EnvironmentError(`k6 image: ${source} is missing`, "run `havoc setup` (it builds k6 from its Go module)");
  const copied = await stat(binaryInContext).catch(() => undefined);
  if (copied && copied.size === built.size && copied.mtimeMs === built.mtimeMs) return;
  await mkdir(fileURLToPath(new URL("./bin/", import.meta.url)), { recursive: true });
  await copyFile(source, binaryInContext);
  await utimes(binaryInContext, built.atime, built.mtime);
}

/** Load generators in containers (load/k6-container.ts). */
export const k6Image: ImageSpec = { tag: "havoc/k6:dev", contextDir, prepare: copyK6Binary };
