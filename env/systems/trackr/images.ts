import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { ImageSpec } from "../../bootstrap/images.ts";

const appDir = fileURLToPath(new URL("./app/", import.meta.url));

/** Bundles the app and its npm deps (pg, and mysql2 for a mysql:// DATABASE_URL) into one file, so the image needs Node but no npm install. */
async function bundleApp(): Promise<void> {
  await build({
    entryPoints: [`${appDir}server.ts`],
    outfile: `${appDir}dist/server.mjs`,
    bundle: true,
    platform: "node",
    // Debian bookworm's nodejs package is Node 18.
    target: "node18",
    format: "esm",
    // pg is CommonJS and calls require() for Node built-ins; ESM output has no require unless we make one.
    banner: { js: 'import { createRequire as __havocCreateRequire } from "node:module"; const require = __havocCreateRequire(import.meta.url);' },
    // Optional native binding of pg, loaded only if asked for; not installed.
    external: ["pg-native"],
    logLevel: "warning",
  });
}

/** Images of the trackr reference system (see README.md). Tags are ":dev": rebuilt when their context changes. */
export const trackrImages: ImageSpec[] = [
  { tag: "havoc/trackr-app:dev", contextDir: appDir, prepare: bundleApp },
  { tag: "havoc/trackr-postgres:dev", contextDir: fileURLToPath(new URL("./postgres/", import.meta.url)) },
  { tag: "havoc/trackr-haproxy:dev", contextDir: fileURLToPath(new URL("./haproxy/", import.meta.url)) },
];
