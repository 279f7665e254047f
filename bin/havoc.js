#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run as they are (no build step), then hands over.
import { register as registerHooks } from "node:module";
import { register } from "tsx/esm/api";

register();
// After tsx's hooks, so these run first: a user's TypeScript loads as an ES module in a CommonJS repository too.
registerHooks("./typescript-as-esm-hooks.mjs", import.meta.url);
// Tells engine/commands/typescript-imports.ts that this process has the hooks already.
globalThis[Symbol.for("havoc.typescript-imports")] = true;
let main;
try {
  ({ main } = await import("../engine/cli.ts"));
} catch (error) {
  // A broken checkout or a missing dependency: one clear line, exit 3 (environment/harness error), no stack.
  process.stderr.write(`havoc: cannot load the harness: ${error instanceof Error ? error.message : String(error)}\n`);
  process.stderr.write("  hint: run `npm install` (or `npm test` / `npm run demo`, which install what is missing)\n");
  process.exit(3);
}
process.exitCode = await main(process.argv.slice(2));
