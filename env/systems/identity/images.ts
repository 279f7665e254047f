import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { ImageSpec } from "../../bootstrap/images.ts";

const serverDir = fileURLToPath(new URL("./server/", import.meta.url));

/** Bundles the identity app and ioredis into one file, so the image needs Debian's Node but no npm install. */
async function bundleApp(): Promise<void> {
  await build({
    entryPoints: [`${serverDir}app/identity.ts`],
    outfile: `${serverDir}dist/identity.mjs`,
    bundle: true,
    platform: "node",
    // Debian bookworm's nodejs package is Node 18.
    target: "node18",
    format: "esm",
    // ioredis is CommonJS and calls require() for Node built-ins; ESM output has no require unless we make one.
    banner: { js: 'import { createRequire as __havocCreateRequire } from "node:module"; const require = __havocCreateRequire(import.meta.url);' },
    logLevel: "warning",
  });
}

/** The identity server image: Redis, Sentinel and the identity app in one container (see README.md). */
export const identityServerImage: ImageSpec = { tag: "havoc/identity-server:dev", contextDir: serverDir, prepare: bundleApp };
