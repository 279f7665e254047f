import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { InputError, errorMessage } from "../../core/errors.ts";
import type { Scenario } from "../../scenario/scenario.ts";
import { loadScenarioFile } from "../../scenario/load-scenario.ts";

/**
 * Which scenario files a suite runs: files, folders (every scenario module under them) and globs, then the
 * scenarios' tags. Every file is loaded and validated before anything starts, so one bad file stops the suite with
 * exit 2 and a message naming it, rather than after an hour of runs.
 */

export interface SelectedScenario {
  /** The path as a person types it: relative to the working directory (used in replay commands). */
  file: string;
  scenario: Scenario;
}

export interface TagFilter {
  /** A scenario must carry every one of these. */
  tags: readonly string[];
  /** ...and none of these. */
  excludeTags: readonly string[];
}

/** Modules a folder contributes; type declarations are not scenarios. */
const scenarioModule = /\.(ts|mts|js|mjs)$/;
const declaration = /\.d\.(ts|mts)$/;
const globChars = /[*?[]/;

/**
 * A glob as a RegExp over '/'-separated paths: `**` any number of folders (also none), `*` any characters
 * within one name, `?` one character, `[abc]` a set. Names starting with a dot are matched only when written.
 */
export function globToRegExp(glob: string): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === "*" && glob[i + 1] === "*") {
      // "**/" matches zero or more whole folders; a trailing "**" matches everything below.
      const slash = glob[i + 2] === "/";
      out += slash ? "(?:[^/.][^/]*/)*" : ".*";
      i += slash ? 2 : 1;
    } else if (c === "*") out += "[^/]*";
    else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) out += "\\[";
      else {
        out += `[${glob.slice(i + 1, end).replace(/^!/, "^").replace(/\\/g, "\\\\")}]`;
        i = end;
      }
    } else out += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith(".") && e.name !== "node_modules")
      .map(async (e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : [])),
  );
  return nested.flat().sort();
}

const toPosix = (path: string) => path.split(sep).join("/");

/** The folder a glob can start walking from: its leading segments without glob characters. */
function globBase(absoluteGlob: string): string {
  const segments = toPosix(absoluteGlob).split("/");
  const firstGlob = segments.findIndex((s) => globChars.test(s));
  return segments.slice(0, firstGlob).join("/") || "/";
}

/**
 * Absolute scenario file paths for the patterns, in the order given (each folder and glob sorted), without
 * duplicates. A pattern that names nothing is bad input: a typo must not shrink a gate silently.
 */
export async function expandScenarioPaths(patterns: readonly string[], cwd: string): Promise<string[]> {
  if (patterns.length === 0) throw new InputError("suite needs at least one scenario file, folder or glob", "e.g. havoc suite scenarios --tag gate");
  const found: string[] = [];
  for (const pattern of patterns) {
    const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
    let matches: string[];
    if (globChars.test(pattern)) {
      const base = globBase(absolute);
      const regexp = globToRegExp(toPosix(absolute));
      matches = existsSync(base) && statSync(base).isDirectory() ? (await walk(base)).filter((f) => regexp.test(toPosix(f))) : [];
      if (matches.length === 0) throw new InputError(`"${pattern}" matches no file`, "quote globs so the shell does not expand them, e.g. 'scenarios/**/*.ts'");
    } else if (!existsSync(absolute)) {
      throw new InputError(`"${pattern}": no such scenario file or folder`);
    } else if (statSync(absolute).isDirectory()) {
      matches = (await walk(absolute)).filter((f) => scenarioModule.test(f) && !declaration.test(f));
      if (matches.length === 0) throw new InputError(`folder "${pattern}" holds no scenario module (.ts, .mts, .js, .mjs)`);
    } else matches = [absolute];
    found.push(...matches);
  }
  return [...new Set(found)];
}

export function matchesTags(tags: readonly string[], filter: TagFilter): boolean {
  return filter.tags.every((t) => tags.includes(t)) && !filter.excludeTags.some((t) => tags.includes(t));
}

function describeFilter(filter: TagFilter): string {
  const parts = [...filter.tags.map((t) => `tag ${t}`), ...filter.excludeTags.map((t) => `not tag ${t}`)];
  return parts.length === 0 ? "no tag filter" : parts.join(", ");
}

/**
 * Loads and validates every file the patterns name, then keeps those whose tags match. Every broken file is
 * named at once (one InputError), so a CI log shows all of them in one go.
 */
export async function selectScenarios(
  patterns: readonly string[],
  filter: TagFilter,
  cwd: string,
  load: (file: string) => Promise<Scenario> = loadScenarioFile,
): Promise<SelectedScenario[]> {
  const paths = await expandScenarioPaths(patterns, cwd);
  const loaded: SelectedScenario[] = [];
  const problems: string[] = [];
  for (const path of paths) {
    const file = relative(cwd, path) || path;
    try {
      loaded.push({ file, scenario: await load(file) });
    } catch (error) {
      problems.push(errorMessage(error));
    }
  }
  if (problems.length > 0) throw new InputError(`${problems.length} of ${paths.length} scenario file(s) cannot be run:\n${problems.join("\n")}`, "fix them or leave them out of the patterns; nothing was started");
  const names = new Map<string, string>();
  for (const { file, scenario } of loaded) {
    const other = names.get(scenario.name);
    // History, trends and regressions are keyed on the scenario name: two files with one name would mix.
    if (other !== undefined) throw new InputError(`${file} and ${other} both name their scenario "${scenario.name}"`, "give each scenario its own name");
    names.set(scenario.name, file);
  }
  const selected = loaded.filter((s) => matchesTags(s.scenario.tags, filter));
  if (selected.length === 0) {
    const seen = [...new Set(loaded.flatMap((s) => s.scenario.tags))].sort();
    throw new InputError(`none of the ${loaded.length} scenario file(s) matches ${describeFilter(filter)}`, `tags in use: ${seen.join(", ") || "none"}`);
  }
  return selected;
}
