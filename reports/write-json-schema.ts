import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { reportJsonSchemaText } from "./report-json-schema.ts";

/** Regenerates reports/report.schema.json from the zod schema: npx tsx reports/write-json-schema.ts */
const target = join(import.meta.dirname, "report.schema.json");
writeFileSync(target, reportJsonSchemaText());
process.stderr.write(`wrote ${target}\n`);
