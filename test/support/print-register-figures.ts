import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { RunReport } from "../../judge/report-schema.ts";
import { describeRegisterFigures, registerFigures } from "./register-figures.ts";

/**
 * Prints the figures of register runs (the identity README's findings table): `npx tsx
 * test/support/print-register-figures.ts <run dir>...` (a run dir holds report.json and history-registers.ndjson).
 */
const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error("usage: print-register-figures.ts <run dir>...");
  process.exit(2);
}
for (const dir of dirs) {
  const report = RunReport.parse(JSON.parse(await readFile(join(dir, "report.json"), "utf8")));
  console.log(describeRegisterFigures(`${report.scenario} ${report.runId} verdict ${report.verdict}`, await registerFigures(dir, report)));
}
