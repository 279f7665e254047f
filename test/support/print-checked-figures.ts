import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { RunReport } from "../../judge/report-schema.ts";
import { checkedFigures, describeCheckedFigures } from "./checked-figures.ts";

/**
 * Prints the figures of register / bank runs (the READMEs' findings tables): `npx tsx
 * test/support/print-checked-figures.ts <traffic> <run dir>...` (traffic: the class name, e.g. registers or bank).
 */
const [traffic, ...dirs] = process.argv.slice(2);
if (traffic === undefined || dirs.length === 0) {
  console.error("usage: print-checked-figures.ts <traffic> <run dir>...");
  process.exit(2);
}
for (const dir of dirs) {
  const report = RunReport.parse(JSON.parse(await readFile(join(dir, "report.json"), "utf8")));
  console.log(describeCheckedFigures(`${report.scenario} ${report.runId} verdict ${report.verdict}`, await checkedFigures(dir, report, traffic)));
}
