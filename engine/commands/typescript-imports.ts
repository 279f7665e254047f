import { register as registerHooks } from "node:module";

/** Set by bin/havoc.js after it registered the same hooks itself, before anything of havoc loaded. */
const registered = Symbol.for("havoc.typescript-imports");

/**
 * Lets `import()` load a user's TypeScript scenario file in this process: tsx's hooks, then havoc's (TypeScript
 * with import/export is an ES module, whatever package.json says). Needed where havoc runs as the package's
 * JavaScript (dist/) inside someone else's process, e.g. `havoc/runner` from their vitest, which imports its
 * dependencies natively: Node cannot load .ts files without a hook. Once per process.
 */
export async function enableTypeScriptImports(): Promise<void> {
  const flags = globalThis as { [registered]?: boolean };
  if (flags[registered]) return;
  flags[registered] = true;
  const { register } = await import("tsx/esm/api");
  register();
  registerHooks(new URL("../../bin/typescript-as-esm-hooks.mjs", import.meta.url));
}
