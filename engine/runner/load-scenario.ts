import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { InputError, errorMessage } from "../../core/errors.ts";
import { formatPath } from "../../core/issue-messages.ts";
import type { Scenario } from "../../core/scenario.ts";
import { validateScenario } from "../../core/validate-scenario.ts";

/** Loads a scenario file (a .ts/.js module whose default export is the scenario object) and validates it. */
export async function loadScenarioFile(file: string): Promise<Scenario> {
  const path = resolve(file);
  if (!existsSync(path)) throw new InputError(`${file}: no such scenario file`, "pass the path of a scenario file, e.g. scenarios/trackr/app-node-crash.ts");
  let module: { default?: unknown };
  try {
    module = await import(pathToFileURL(path).href);
  } catch (error) {
    throw new InputError(`${file}: could not load the scenario module: ${errorMessage(error)}`, undefined, { cause: error });
  }
  if (module.default === undefined) throw new InputError(`${file}: the module has no default export`, "export the scenario object as `export default { ... }`");
  return parseScenario(module.default, file);
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

