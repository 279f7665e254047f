// Bundles the identity app and ioredis into dist/identity.mjs, so the image needs Debian's Node 18 but no npm
// install. Run by the image build (the node's build.prepare) in this folder.
import { build } from "esbuild";

await build({
  entryPoints: ["app/identity.ts"],
  outfile: "dist/identity.mjs",
  bundle: true,
  platform: "node",
  // Debian bookworm's nodejs package is Node 18.
  target: "node18",
  format: "esm",
  // ioredis is CommonJS and calls require() for Node built-ins; ESM output has no require unless we make one.
  banner: { js: 'import { createRequire as __havocCreateRequire } from "node:module"; const require = __havocCreateRequire(import.meta.url);' },
  logLevel: "warning",
});
