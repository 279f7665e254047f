#!/usr/bin/env node
// Builds dist/, the package's JavaScript, and types/, its declarations: `npm pack` runs this as prepack, and
// `--shims` as postpack, which puts back the checkout's dist/ (one line per entry re-exporting the TypeScript
// source, run by tsx or vitest as before). Every package on the registry ships JavaScript: Node refuses to strip
// types from files under node_modules, so a package whose entry is .ts cannot be imported by plain Node.
//
// What is built (ES modules; package.json "exports" points at them):
//   dist/index.js, dist/runner.js, dist/cli.js   havoc, havoc/runner and the bin: Node 20, one bundle with shared
//                                                chunks (one copy of each module), npm dependencies left as imports
//   dist/k6.js                                   havoc/k6 for k6 (bundlers): k6's modules left as imports
//   dist/k6-node.js                              havoc/k6 under Node (plain, tsx, vitest): k6's modules replaced by
//                                                stand-ins that throw a clear error when used, so the module loads
//                                                and its pure helpers work; __ENV reads process.env
// The sources stay in the package too: havoc bundles users' k6 scripts with load/k6/lib (source), and images, Go
// programs, scenarios and systems are read from their folders. Each bundled module's import.meta.url is rewritten to
// its source file's place in the package, so that `new URL("./stress/", import.meta.url)` still finds its folder.
import { build, transform } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const nodeEntries = { index: "api/index.ts", runner: "api/runner.ts", cli: "engine/cli.ts" };
const k6Entry = "load/k6/lib/public-api.ts";
const k6Lib = join(root, "load/k6/lib");

/** The checkout's dist/: each entry re-exports its source (what tsx and vitest load there; no build step). */
async function writeShims() {
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist);
  const shim = (source) => `// The checkout's stand-in: \`npm pack\` replaces it with the built JavaScript (bin/build-package.mjs).\nexport * from "../${source}";\n`;
  for (const [name, source] of Object.entries(nodeEntries)) await writeFile(join(dist, `${name}.js`), shim(source));
  await writeFile(join(dist, "k6.js"), shim(k6Entry));
  await writeFile(join(dist, "k6-node.js"), shim(k6Entry));
}

/** Rewrites import.meta.url/dirname/filename of each source module to its own file in the package (see above). */
const sourceLocations = {
  name: "source-locations",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
      const text = await readFile(args.path, "utf8");
      if (!/import\.meta\.(url|dirname|filename)/.test(text)) return undefined;
      const fromDist = `../${relative(root, args.path).split(sep).join("/")}`;
      const { code } = await transform(text, {
        loader: "ts",
        format: "esm",
        sourcefile: args.path,
        tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
        define: { "import.meta.url": "__havocSourceUrl", "import.meta.dirname": "__havocSourceDir", "import.meta.filename": "__havocSourceFile" },
      });
      const prelude = [
        'import { fileURLToPath as __havocFileURLToPath } from "node:url";',
        'import { dirname as __havocDirname } from "node:path";',
        // Every output file sits directly in dist/ (entries and chunks alike), so the package root is "..".
        `const __havocSourceUrl = new URL(${JSON.stringify(fromDist)}, import.meta.url).href;`,
        "const __havocSourceFile = __havocFileURLToPath(__havocSourceUrl);",
        "const __havocSourceDir = __havocDirname(__havocSourceFile);",
      ].join("\n");
      return { contents: `${prelude}\n${code}`, loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

/** The names the k6 library imports from each k6 module (value imports only): the stand-ins must export them. */
async function k6Imports() {
  const found = new Map();
  for (const file of await readdir(k6Lib)) {
    if (!file.endsWith(".ts")) continue;
    const text = await readFile(join(k6Lib, file), "utf8");
    for (const [, clause, specifier] of text.matchAll(/^import\s+(?!type\b)([^;]+?)\s+from\s+"(k6(?:\/[^"]+)?)"/gm)) {
      const entry = found.get(specifier) ?? { default: false, named: new Set() };
      const [before, braces] = clause.split("{");
      if (before.replace(",", "").trim() !== "") entry.default = true;
      for (const part of (braces ?? "").replace("}", "").split(",")) {
        const name = part.trim().split(/\s+as\s+/)[0];
        if (name && !name.startsWith("type ")) entry.named.add(name);
      }
      found.set(specifier, entry);
    }
  }
  return found;
}

/** A k6 module for Node: loads, and throws on use, naming what was used and why it cannot work here. */
function k6StandIn(specifier, imports) {
  const lines = [
    `const where = ${JSON.stringify(specifier)};`,
    "const fail = (what) => {",
    '  throw new Error(`havoc/k6: ${what} (from "${where}") exists only inside k6: havoc bundles your k6 script and k6 runs it. Under Node only the helpers that need no k6 work (classify, opLine, segmentOptions, exponentialThinkMs, ...).`);',
    "};",
    // Pure constructors the library calls while loading (everyStatusExpected): a description instead of k6's object.
    "const loadTime = { expectedStatuses: (...ranges) => ({ expectedStatuses: ranges }) };",
    "const member = (what, name) => name in loadTime ? loadTime[name] : new Proxy(function () {}, {",
    "  get(_, key) { if (typeof key === 'symbol') return undefined; return fail(`${what}.${key}`); },",
    "  apply() { return fail(`${what}()`); },",
    "  construct() { return fail(`new ${what}()`); },",
    "});",
    "const namespace = (what) => new Proxy({}, { get(_, key) { return typeof key === 'symbol' ? undefined : member(`${what}.${key}`, key); } });",
  ];
  if (imports.default) lines.push(`export default namespace(${JSON.stringify(specifier)});`);
  for (const name of imports.named) lines.push(`export const ${name} = member(${JSON.stringify(name)}, ${JSON.stringify(name)});`);
  return lines.join("\n");
}

async function buildDist() {
  await rm(dist, { recursive: true, force: true });
  // No source maps: they would point at sources the package does not ship (only api/index.ts, core/ and load/k6/).
  const common = { absWorkingDir: root, bundle: true, format: "esm", outdir: dist, logLevel: "warning", legalComments: "none" };
  await build({
    ...common,
    entryPoints: Object.fromEntries(Object.entries(nodeEntries).map(([name, source]) => [name, join(root, source)])),
    platform: "node",
    target: "node20",
    packages: "external",
    splitting: true,
    chunkNames: "[name]-[hash]",
    plugins: [sourceLocations],
  });
  await build({ ...common, entryPoints: { k6: join(root, k6Entry) }, platform: "neutral", target: "es2020", external: ["k6", "k6/*"] });
  const imports = await k6Imports();
  await build({
    ...common,
    entryPoints: { "k6-node": join(root, k6Entry) },
    platform: "node",
    target: "node20",
    define: { __ENV: "globalThis.process.env" },
    plugins: [
      {
        name: "k6-stand-ins",
        setup(b) {
          b.onResolve({ filter: /^k6(\/.*)?$/ }, (args) => ({ path: args.path, namespace: "k6-stand-in" }));
          b.onLoad({ filter: /.*/, namespace: "k6-stand-in" }, (args) => ({ contents: k6StandIn(args.path, imports.get(args.path) ?? { default: true, named: new Set() }), loader: "js" }));
        },
      },
    ],
  });
}

/** types/: the declarations `exports` names, made by tsc (the one slow step, ~30 s). */
async function buildDeclarations() {
  await rm(join(root, "types"), { recursive: true, force: true });
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  for (const project of ["tsconfig.types.json", "load/k6/tsconfig.types.json"]) {
    const result = spawnSync(process.execPath, [tsc, "-p", project], { cwd: root, stdio: "inherit" });
    if (result.status !== 0) throw new Error(`tsc -p ${project} failed (exit ${result.status})`);
  }
}

const startedMs = performance.now();
if (process.argv.includes("--shims")) {
  await writeShims();
} else {
  await buildDist();
  const bundledMs = performance.now() - startedMs;
  if (!process.argv.includes("--no-types")) await buildDeclarations();
  process.stderr.write(`havoc: built dist/ in ${Math.round(bundledMs)} ms${process.argv.includes("--no-types") ? "" : `, types/ in ${Math.round(performance.now() - startedMs - bundledMs)} ms`}\n`);
}
