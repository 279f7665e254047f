import { z } from "zod";
import { RunReport } from "../judge/report-schema.ts";

/**
 * report.json as a JSON Schema (draft 2020-12) for tools outside TypeScript (CI gates, dashboards), derived from
 * the RunReport zod schema so the two cannot disagree. reports/report.schema.json is this, committed; a unit
 * test fails when the file and the zod schema drift apart (regenerate: npx tsx reports/write-json-schema.ts).
 */

export function reportJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(RunReport, {
    target: "draft-2020-12",
    // report.json is what buildReport produced, i.e. the parsed (output) side. Nullable fields come out as
    // anyOf [T, {type: "null"}]; objects as additionalProperties: false, matching what the report holds.
    io: "output",
    // A transform or other type JSON Schema cannot express must fail here, not quietly become `{}` (any).
    unrepresentable: "throw",
  });
  return { ...schema, title: "Havoc run report (report.json)", description: "One run of a Havoc scenario: verdict, SLO results, faults, data loss, traffic, plan." };
}

/** The exact text of reports/report.schema.json: the writer and the drift test share it. */
export function reportJsonSchemaText(): string {
  return JSON.stringify(reportJsonSchema(), null, 2) + "\n";
}
