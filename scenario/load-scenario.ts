import { existsSync } from "node:fs";
import { extname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError, errorMessage } from "../core/errors.ts";
import { formatPath } from "./issue-messages.ts";
import type { Scenario } from "./scenario.ts";
import { validateScenario } from "./validate-scenario.ts";
import { resolveScenarioSources } from "./scenario-sources.ts";

/** Module files a scenario can be (tsx, registered by bin/havoc.js, loads TypeScript and JavaScript alike). */
const moduleExtensions = new Set([".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"]);
const shapeHint = 'a scenario is a TypeScript or JavaScript module: `import { defineScenario } from "havoc"; export default defineScenario({ ... })`';

/**
 * Loads a scenario file from anywhere (a .ts/.js module whose default export is the scenario object; its own
 * imports resolve relative to it, and `havoc` from the node_modules of its repository), resolves what it names
 * (compose file, build contexts, k6 scripts) relative to it, and validates it.
 */
export async function loadScenarioFile(file: string, overrides: ScenarioOverrides = {}): Promise<Scenario> {
  const path = resolve(file);
  if (!existsSync(path)) throw new InputError(`${file}: no such scenario file`, "pass the path of a scenario file, e.g. scenarios/trackr/app-node-crash.ts");
  const extension = extname(path).toLowerCase();
  if (!moduleExtensions.has(extension))
    throw new InputError(
      `${file}: cannot be loaded as a module (a "${extension || "no extension"}" file)`,
      extension === ".yaml" || extension === ".yml" ? `${shapeHint}; a compose file is named from it: topology: { compose: "./${file.split("/").at(-1)}" }` : shapeHint,
    );
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new InputError(`${file}: could not be loaded as a module: ${errorMessage(error)}`, loadFailureHint(error, extension), { cause: error });
  }
  if (module.default === undefined) throw new InputError(`${file}: the module has no default export`, "export the scenario object as `export default defineScenario({ ... })`");
  return parseScenario(withOverrides(await resolveScenarioSources(module.default, path), overrides), file);
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

/** The fix for why a module did not load: a missing package, or syntax that is not a module's. */
function loadFailureHint(error: unknown, extension: string): string {
  const message = errorMessage(error);
  if (/is not defined in ES module scope/.test(message)) return "havoc loads scenarios as ES modules: use import.meta.dirname / import.meta.url instead of __dirname / __filename / require";
  if (error instanceof SyntaxError && (extension === ".js" || extension === ".cjs"))
    return 'in a repository without "type": "module" a .js file is CommonJS: name the scenario .ts or .mjs (havoc loads TypeScript as ES modules)';
  const missing = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
  if (missing === "havoc" || missing?.startsWith("havoc/")) return "install havoc in the scenario's repository (npm install --save-dev <havoc tarball>), then run it there with npx havoc";
  if (missing) return `install ${missing} where the scenario can find it (the node_modules of its repository), or fix the import path (relative imports start with ./ and are relative to the scenario file)`;
  return `${shapeHint}; run it with \`npx havoc run <file>\` (havoc loads TypeScript itself; plain \`node\` does not)`;
}

/**
 * Validates scenario data; a failure names the file and lists every problem at once, each with its path and what
 * was expected (valid kinds and values, the key or name probably meant).
 */
export function parseScenario(data: unknown, file: string): Scenario {
  const result = validateScenario(data);
  if (result.success) return result.data;
  throw new InputError(`${file}: invalid scenario\n${formatIssues(result.issues)}`, "fix the fields listed above; nothing was started");
}

export function formatIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  return issues.map((issue) => `  at ${formatPath(issue.path)}: ${issue.message}`).join("\n");
}

