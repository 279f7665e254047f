import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { nearest } from "../core/did-you-mean.ts";
import { errorMessage } from "../core/errors.ts";
import { displayPath, nearbyPath } from "./nearby-path.ts";

/**
 * Why a scenario module did not load, said about the user's own code: the file, line and column of a throw (the
 * stack of the error the dynamic import rejected with; tsx and vitest both map it back to the TypeScript source),
 * the import that names a missing file or package, the parser's message at the line of a syntax error. Each with
 * the line of source it points at, so the reader sees the mistake without opening the file.
 */

/** What a failed import says: the problem (first line, then one line per location) and a fix only where havoc knows one. */
export interface LoadFailure {
  lines: string[];
  hint?: string;
}

/** A place in a source file; line and column count from 1. */
export interface SourcePlace {
  file: string;
  line: number;
  column: number;
  /** The function the frame ran in, when the stack names one. */
  fn?: string;
}

const shapeHint = 'a scenario is a TypeScript or JavaScript module: `import { defineScenario } from "havoc"; export default defineScenario({ ... })`';

/** Explains the error `import(file)` rejected with. `path` is the scenario's absolute path. */
export function explainLoadFailure(error: unknown, path: string): LoadFailure {
  const message = errorMessage(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (code === "ERR_MODULE_NOT_FOUND" || /^Cannot find (module|package) /.test(message)) {
    const missing = missingImport(message, path);
    if (missing) return missing;
  }
  const syntax = syntaxFailure(error, path);
  if (syntax) return syntax;
  const frames = userFrames(error);
  const name = error instanceof Error ? error.name : "Error";
  const headline = `${name === "Error" ? "" : `${name}: `}${message.split("\n")[0]}`;
  if (/is not defined in ES module scope/.test(message))
    return { lines: [headline, ...frames.flatMap(placeLines)], hint: "havoc loads scenarios as ES modules: use import.meta.dirname / import.meta.url instead of __dirname / __filename / require" };
  if (frames.length > 0) return { lines: [`threw while loading: ${headline}`, ...frames.flatMap(placeLines)] };
  return { lines: [`could not be loaded as a module: ${message}`], hint: `${shapeHint}; run it with \`npx havoc run <file>\` (havoc loads TypeScript itself; plain \`node\` does not)` };
}

/** `at lib/nodes.ts:7:23 (appNodes)`, then `7 | return config.apps!.map(...)`: the place and its line of source. */
export function placeLines(place: SourcePlace): string[] {
  const source = sourceLine(place.file, place.line);
  return [`at ${displayPath(place.file)}:${place.line}:${place.column}${place.fn ? ` (${place.fn})` : ""}`, ...(source ? [`${place.line} | ${source}`] : [])];
}

/** The line of source, trimmed and shortened to one screen line; undefined when it cannot be read. */
function sourceLine(file: string, line: number): string | undefined {
  try {
    const text = readFileSync(file, "utf8").split("\n")[line - 1]?.trim();
    if (!text) return undefined;
    return text.length > 100 ? `${text.slice(0, 97)}...` : text;
  } catch {
    return undefined;
  }
}

/** One frame of a V8 stack: `at fn (/path/file.ts:7:23)`, `at /path/file.ts:7:23`, `at file:///path/file.ts:7:23`. */
const framePattern = /^\s*at (?:async )?(?:(.+?) \()?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?\s*$/;

/**
 * The frames of the user's code, innermost first: the first run of frames in files outside node_modules and Node's
 * internals (havoc's own helpers, installed under node_modules, are skipped above it), ending where the module
 * loader's frames begin. The throw is the first; the scenario's top level usually the last.
 */
export function userFrames(error: unknown): SourcePlace[] {
  const stack = error instanceof Error ? error.stack : undefined;
  if (!stack) return [];
  const frames: SourcePlace[] = [];
  let started = false;
  for (const line of stack.split("\n")) {
    if (!/^\s*at /.test(line)) continue;
    const match = framePattern.exec(line);
    const file = match ? (match[2]!.startsWith("file://") ? fileURLToPath(match[2]!) : match[2]!) : undefined;
    const user = file !== undefined && !file.includes("/node_modules/") && existsSync(file);
    if (!user) {
      if (started) break;
      continue;
    }
    started = true;
    const fn = match![1];
    frames.push({ file, line: Number(match![3]), column: Number(match![4]), ...(fn && fn !== "<anonymous>" && !fn.includes("/") ? { fn } : {}) });
  }
  return frames.slice(0, 6);
}

/**
 * A syntax error: esbuild's (tsx compiling TypeScript: "<file>:9:49: ERROR: Expected ...", its column counted from
 * 0), Vite's, or V8's (a .mjs parsed by Node, whose error carries no place: `node --check` finds it).
 */
function syntaxFailure(error: unknown, path: string): LoadFailure | undefined {
  const message = errorMessage(error);
  const esbuild = [...message.matchAll(/^(.+?):(\d+):(\d+): ERROR: (.*)$/gm)];
  if (esbuild.length > 0) return { lines: esbuild.flatMap((m) => syntaxLines({ file: m[1]!, line: Number(m[2]), column: Number(m[3]) + 1 }, m[4]!)) };
  // Vite's parser (a scenario loaded from a vitest test through havoc/runner), its column counted from 0 too.
  const vite = /^Parse failure: (.*)\nAt file: (?:file:\/\/)?(.+?):(\d+):(\d+)/m.exec(message);
  if (vite) return { lines: syntaxLines({ file: vite[2]!, line: Number(vite[3]), column: Number(vite[4]) + 1 }, vite[1]!) };
  if (!(error instanceof SyntaxError)) return undefined;
  const check = spawnSync(process.execPath, ["--check", path], { encoding: "utf8", timeout: 10_000 });
  const where = /^(.+):(\d+)\n.*\n(\s*)\^/m.exec(check.stderr ?? "");
  if (!where) return { lines: [`syntax error: ${message}`] };
  return { lines: syntaxLines({ file: where[1]!, line: Number(where[2]), column: where[3]!.length + 1 }, message) };
}

function syntaxLines(place: SourcePlace, what: string): string[] {
  const [location, ...source] = placeLines(place);
  return [`syntax error ${location}: ${what}`, ...source];
}

/**
 * "Cannot find module '<path or specifier>' imported from <file>" (a relative import of a file that is not there)
 * or "Cannot find package 'x' imported from <file>": the importing file and the line of its import, and what was
 * probably meant (a file of that name further up, a package of a similar name).
 */
function missingImport(message: string, scenario: string): LoadFailure | undefined {
  const found = /Cannot find (module|package) '([^']+)' imported from '?([^'\n]+?)'?$/m.exec(message);
  if (!found) return undefined;
  const [, what, named, importerText] = found;
  const importer = importerText!.startsWith("file://") ? fileURLToPath(importerText!) : importerText!;
  const importerDir = dirname(importer);
  if (what === "package") {
    const place = importPlace(importer, (spec) => spec === named || spec.startsWith(`${named}/`));
    const at = place ? placeLines(place) : [];
    if (named === "havoc") return { lines: [`cannot find package "havoc"`, ...at], hint: "install havoc in the scenario's repository (npm install --save-dev <havoc tarball>), then run it there with npx havoc" };
    const meant = nearest(named!, ["havoc", ...dependencies(importerDir)]);
    return {
      lines: [`cannot find package "${named}"`, ...at],
      hint: meant ? `did you mean "${meant}"?` : `install ${named} in the scenario's repository (npm install --save-dev ${named}), or fix the name`,
    };
  }
  // tsx names the resolved path, vitest the specifier as written: find the import either way.
  const missingPath = isAbsolute(named!) ? named! : resolve(importerDir, named!);
  const place = importPlace(importer, (spec) => spec === named || (spec.startsWith(".") && resolve(importerDir, spec) === missingPath));
  const spec = place?.spec ?? named!;
  const lines = [`cannot import "${spec}": no file ${displayPath(missingPath)}`, ...(place ? placeLines(place) : [])];
  const meant = spec.startsWith(".") ? nearbyPath(importerDir, spec) : undefined;
  return meant
    ? { lines, hint: `did you mean "${meant}"? (relative imports start from the importing file's folder, ${displayPath(importerDir) || "."})` }
    : { lines, hint: `relative imports start from the importing file's folder (${displayPath(importerDir) || "."}); ${scenario === importer ? "the scenario" : displayPath(importer)} imports it from there` };
}

/** The import of a specifier in a source file: its line and the column of the specifier. */
function importPlace(file: string, matches: (specifier: string) => boolean): (SourcePlace & { spec: string }) | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const lines = text.split("\n");
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])([^"'\n]+)\1/g;
  for (let i = 0; i < lines.length; i++)
    for (const m of lines[i]!.matchAll(pattern))
      if (matches(m[2]!)) return { file, line: i + 1, column: m.index! + m[0].length - m[2]!.length - 1, spec: m[2]! };
  return undefined;
}

/** Package names the nearest package.json depends on (for "did you mean"). */
function dependencies(dir: string): string[] {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, "package.json");
    if (existsSync(file)) {
      try {
        const pkg = JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
        return ["dependencies", "devDependencies", "peerDependencies"].flatMap((k) => Object.keys((pkg[k] as Record<string, unknown> | undefined) ?? {}));
      } catch {
        return [];
      }
    }
    if (dirname(at) === at) return [];
  }
}

/** The scenario modules in a folder (a folder passed where a file was expected), relative to it, at most `limit`. */
export function scenarioFilesIn(dir: string, limit = 8): { files: string[]; more: number } {
  const found: string[] = [];
  const walk = (at: string): void => {
    let entries;
    try {
      entries = readdirSync(at, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const full = join(at, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(ts|mts|js|mjs)$/.test(e.name) && !/\.d\.m?ts$/.test(e.name)) found.push(relative(dir, full));
    }
  };
  walk(dir);
  return { files: found.slice(0, limit), more: Math.max(0, found.length - limit) };
}
