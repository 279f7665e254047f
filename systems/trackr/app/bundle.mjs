// Bundles the app and its npm deps (pg, and mysql2 for a mysql:// DATABASE_URL) into dist/server.mjs, so the image
// needs Debian's Node 18 but no npm install. Run by the image build (the node's build.prepare) in this folder.
import { build } from "esbuild";

await build({
  entryPoints: ["server.ts"],
  outfile: "dist/server.mjs",
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
