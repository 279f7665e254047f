import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Message, type Plugin } from "esbuild";
import { InputError } from "../core/errors.ts";

/**
 * Bundles the user's k6 script (a `script: "k6"` traffic class) into one ES module k6 can run as it is.
 *
 * Why bundle: k6 resolves imports itself (relative paths and URLs only), not through node_modules, so a script in
 * the user's repository could not `import { reportHttp } from "havoc/k6"`. esbuild resolves that import the way
 * Node and the user's editor do (the installed package's `exports`), strips TypeScript, and inlines the user's
 * own relative imports and npm packages; k6's built-in modules (`k6`, `k6/http`, ...) stay imports. An inline
 * source map keeps k6's error positions pointing at the user's file.
 */
/** `havoc/k6` is always this harness's own copy, wherever the script sits (a user's repository or a system module). */
const publicK6Api = fileURLToPath(new URL("./k6/lib/public-api.ts", import.meta.url));
const havocK6: Plugin = { name: "havoc-k6", setup: (b) => b.onResolve({ filter: /^havoc\/k6$/ }, () => ({ path: publicK6Api })) };

export async function bundleK6Script(scriptPath: string, outDir: string, traffic: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const outfile = join(outDir, `k6-${traffic}.bundle.js`);
  try {
    const result = await build({
      entryPoints: [scriptPath],
      outfile,
      bundle: true,
      format: "esm",
      // k6 v1 (sobek) runs ES2020 and newer syntax it supports; keep esbuild from emitting anything later.
      target: "es2020",
      platform: "neutral",
      mainFields: ["module", "main"],
      conditions: ["k6", "import", "default"],
      external: ["k6", "k6/*", "https://*", "http://*"],
      plugins: [havocK6],
      sourcemap: "inline",
      logLevel: "silent",
      write: true,
    });
    if (result.errors.length > 0) throw new Error(formatMessages(result.errors));
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    const detail = errors && errors.length > 0 ? formatMessages(errors) : (error as Error).message;
    throw new InputError(`traffic ${traffic}: cannot bundle k6 script ${scriptPath}\n${detail}`, 'fix the script; it may import "havoc/k6", k6 modules, relative files and npm packages', { cause: error });
  }
  return outfile;
}

function formatMessages(messages: readonly Message[]): string {
  return messages
    .map((m) => `  ${m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ` : ""}${m.text}`)
    .join("\n");
}
