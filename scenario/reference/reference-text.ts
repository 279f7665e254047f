import { buildJsDocIndex } from "./jsdoc-index.ts";
import { renderScenarioReference } from "./render-reference.ts";

/** Folders whose sources hold the scenario's schemas (their JSDoc describes the fields). */
export const schemaFolders = ["core", "env/readback", "faults", "judge", "load/traffic", "scenario"];

/** docs/scenario-reference.md as the sources under `root` make it. */
export function referenceText(root: string): string {
  return renderScenarioReference(buildJsDocIndex(root, schemaFolders));
}
