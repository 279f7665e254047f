#!/usr/bin/env node
// Entry point. Runs the package's JavaScript (dist/cli.js, built by `npm pack`), which registers tsx only when a
// command loads scenario files (they are TypeScript, loaded as they are). In the checkout dist/cli.js is a
// stand-in re-exporting the TypeScript source (bin/build-package.mjs): then tsx is registered first.
import { existsSync, readFileSync } from "node:fs";
import { register as registerHooks } from "node:module";

const distCli = new URL("../dist/cli.js", import.meta.url);
const built = existsSync(distCli) && !readFileSync(distCli, "utf8").startsWith("// The checkout's stand-in");
let main;
try {
  if (!built) {
    const { register } = await import("tsx/esm/api");
    register();
    // After tsx's hooks, so these run first: a user's TypeScript loads as an ES module in a CommonJS repository too.
    registerHooks("./typescript-as-esm-hooks.mjs", import.meta.url);
    // Tells engine/commands/typescript-imports.ts that this process has the hooks already.
    globalThis[Symbol.for("havoc.typescript-imports")] = true;
  }
  ({ main } = await import(built ? distCli.href : "../engine/cli.ts"));
} catch (error) {
  // A broken checkout or a missing dependency: one clear line, exit 3 (environment/harness error), no stack.
  process.stderr.write(`havoc: cannot load the harness: ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write("  hint: run `npm install` (or `npm test` / `npm run demo`, which install what is missing)\n");
  process.exit(3);
}
process.exitCode = await main(process.argv.slice(2));
