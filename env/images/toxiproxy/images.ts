import { copyFile, mkdir, stat, utimes } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { ImageSpec } from "../../bootstrap/images.ts";
import { toxiproxyServerPath } from "../../bootstrap/go-tools.ts";
import { EnvironmentError } from "../../../core/errors.ts";

const contextDir = fileURLToPath(new URL(".//", import.meta.url));
/** Inside the context; git-ignored (env/images/*\/bin/). */
const binaryInContext = fileURLToPath(new URL("./bin/toxiproxy-server", import.meta.url));

/**
 * Copies the toxiproxy server built by the bootstrap into the build context. Skipped when size and mtime already match,
 * so an unchanged binary costs one stat; the context hash (and so the image) then stays the same.
 */
async function copyServerBinary(): Promise<void> {
  const source = toxiproxyServerPath();
  const built = await stat(source).catch(() => undefined);
  if (!built) throw new EnvironmentError(`toxiproxy image: ${source} is missing`, "run `havoc setup` (it builds toxiproxy from its Go module)");
  const copied = await stat(binaryInContext).catch(() => undefined);
  if (copied && copied.size === built.size && copied.mtimeMs === built.mtimeMs) return;
  await mkdir(fileURLToPath(new URL("./bin/", import.meta.url)), { recursive: true });
  await copyFile(source, binaryInContext);
  await utimes(binaryInContext, built.atime, built.mtime);
}

/** The links' proxy node (env/topology/toxiproxy-node.ts). */
export const toxiproxyImage: ImageSpec = { tag: "havoc/toxiproxy:dev", contextDir, prepare: copyServerBinary };
