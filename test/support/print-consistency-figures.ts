import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { RunReport } from "../../judge/report-schema.ts";
import { describeFigures, workloadFigures } from "./consistency-figures.ts";

/**
 * Prints the figures of list-append runs (the READMEs' findings tables): `npx tsx test/support/print-consistency-figures.ts
 * <run dir>...` (a run dir holds report.json and history-txns.ndjson).
 */
const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error("usage: print-consistency-figures.ts <run dir>...");
  process.exit(2);
}
for (const dir of dirs) {
  const report = RunReport.parse(JSON.parse(await readFile(join(dir, "report.json"), "utf8")));
  console.log(`${describeFigures(`${report.scenario} ${report.runId} verdict ${report.verdict}`, await workloadFigures(dir, report))}`);
}
