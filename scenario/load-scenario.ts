import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { nearest } from "../core/did-you-mean.ts";
import { InputError } from "../core/errors.ts";
import { formatPath } from "./issue-messages.ts";
import { explainLoadFailure, scenarioFilesIn } from "./module-errors.ts";
import { displayPath } from "./nearby-path.ts";
import type { Scenario } from "./scenario.ts";
import { validateScenario, type ScenarioIssue } from "./validate-scenario.ts";
import { resolveScenarioSources } from "./scenario-sources.ts";

/** Module files a scenario can be (tsx, registered by bin/havoc.js, loads TypeScript and JavaScript alike). */
const moduleExtensions = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);
const shapeHint = 'a scenario is a TypeScript or JavaScript module: `import { defineScenario } from "havoc"; export default defineScenario({ ... })`';

/**
 * Loads a scenario file from anywhere (a .ts/.js module whose default export is the scenario object; its own
 * imports resolve relative to it, and `havoc` from the node_modules of its repository), resolves what it names
 * (compose file, build contexts, k6 scripts) relative to it, and validates it. Every refusal names the file, and
 * where the user's own code is at fault, its line (module-errors.ts).
 */
export async function loadScenarioFile(file: string, overrides: ScenarioOverrides = {}): Promise<Scenario> {
  const path = resolve(file);
  if (!existsSync(path)) throw new InputError(`${file}: no such scenario file`, missingFileHint(path));
  if (statSync(path).isDirectory()) throw folderGiven(file, path);
  const extension = extname(path).toLowerCase();
  if (!moduleExtensions.has(extension))
    throw new InputError(
      `${file}: cannot be loaded as a module (a "${extension || "no extension"}" file)`,
      extension === ".yaml" || extension === ".yml" ? `${shapeHint}; a compose file is named from it: topology: { compose: "./${basename(file)}" }` : shapeHint,
    );
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const { lines, hint } = explainLoadFailure(error, path);
    const [first, ...details] = lines;
    throw new InputError([`${file}: ${first}`, ...details.map((line) => `  ${line}`)].join("\n"), hint, { cause: error });
  }
  const scenario = module.default;
  if (scenario === undefined) throw noDefaultExport(file, module);
  if (typeof scenario === "function")
    throw new InputError(
      `${file}: the default export is a function, not a scenario`,
      "export the scenario object: `export default defineScenario({ ... })` (a function that builds one: export what it returns, `export default build()`)",
    );
  const sources = await resolveScenarioSources(scenario, path);
  return parseScenario(withOverrides(sources.data, overrides), file, { issues: sources.issues, reported: sources.reported });
}

/** What the command line adds to a scenario before it is validated (so its references to them are checked too). */
export interface ScenarioOverrides {
  /** Hosts from `--host NAME=ENGINE`: each declares the host, or replaces the file's declaration of it. */
  hosts?: Record<string, { docker: string }>;
}

function withOverrides(data: unknown, overrides: ScenarioOverrides): unknown {
  if (!overrides.hosts || Object.keys(overrides.hosts).length === 0 || typeof data !== "object" || data === null) return data;
  const scenario = data as Record<string, unknown>;
  const declared = typeof scenario.hosts === "object" && scenario.hosts !== null ? (scenario.hosts as Record<string, unknown>) : {};
  return { ...scenario, hosts: { ...declared, ...overrides.hosts } };
}

/** What else the file's folder holds that was probably meant ("app-node-crash.ts" for "app-node-crahs.ts"). */
function missingFileHint(path: string): string {
  const dir = dirname(path);
  if (!existsSync(dir)) return `no folder ${displayPath(dir)} either; pass the path of a scenario file, e.g. scenarios/checkout-crash.ts`;
  const siblings = readdirSync(dir).filter((name) => moduleExtensions.has(extname(name)));
  const meant = nearest(basename(path), siblings);
  if (meant) return `did you mean ${displayPath(join(dir, meant))}?`;
  return siblings.length > 0 ? `scenario files in ${displayPath(dir) || "."}: ${siblings.slice(0, 8).join(", ")}${siblings.length > 8 ? ", ..." : ""}` : "pass the path of a scenario file";
}

/** A folder where one file was expected (`havoc run scenarios`): what it holds, and the commands that take folders. */
function folderGiven(file: string, path: string): InputError {
  const { files, more } = scenarioFilesIn(path);
  if (files.length === 0) return new InputError(`${file}: is a folder, and holds no scenario file (.ts, .mts, .js or .mjs)`, "pass the path of a scenario file");
  const listed = files.map((f) => join(file, f)).join(", ") + (more > 0 ? ` and ${more} more` : "");
  return new InputError(`${file}: is a folder, not a scenario file; its scenario files: ${listed}`, `run one of them, or check or run them all: havoc check ${file}, havoc suite ${file}`);
}

/** No default export: what the module does export, and the line that would make one of them the scenario. */
function noDefaultExport(file: string, module: Record<string, unknown>): InputError {
  const named = Object.keys(module).filter((k) => k !== "default");
  const scenarioLike = named.find((k) => {
    const v = module[k];
    return typeof v === "object" && v !== null && "topology" in v && "traffic" in v;
  });
  const exports = named.length > 0 ? ` (it exports ${named.map((n) => `"${n}"`).join(", ")})` : "";
  const hint = scenarioLike ? `make it the default: \`export default ${scenarioLike};\`` : "export the scenario object as `export default defineScenario({ ... })`";
  return new InputError(`${file}: the module has no default export${exports}`, hint);
}

export interface ParseOptions {
  /** Problems found before validation (missing files), reported with the schema's. */
  issues?: readonly ScenarioIssue[];
  /** Top-level parts whose problems are all in `issues` already. */
  reported?: readonly string[];
}

/**
 * Validates scenario data; a failure names the file and lists every problem at once, each with its path and what
 * was expected (valid kinds and values, the key or name probably meant).
 */
export function parseScenario(data: unknown, file: string, options: ParseOptions = {}): Scenario {
  const result = validateScenario(data, options);
  if (result.success) return result.data;
  throw new InputError(`${file}: invalid scenario\n${formatIssues(result.issues)}`, "fix the fields listed above; nothing was started");
}

export function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `  at ${formatPath(issue.path)}: ${issue.message}`).join("\n");
}

