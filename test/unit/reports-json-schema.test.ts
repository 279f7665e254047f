import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reportJsonSchema, reportJsonSchemaText } from "../../reports/report-json-schema.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { rebuildFromEvents } from "../../reports/rerender.ts";


/**
 * A small JSON Schema checker, enough for the keywords z.toJSONSchema emits for RunReport (type, const, enum,
 * properties/required/additionalProperties, items, anyOf, minimum/maximum, pattern). No validator library is
 * installed; this proves the committed schema accepts a real report and rejects a broken one.
 */
type Schema = Record<string, unknown>;

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
  return typeof v;
}

function check(schema: Schema, value: unknown, path = "$"): string[] {
  const errors: string[] = [];
  if (schema.anyOf) {
    const ok = (schema.anyOf as Schema[]).some((s) => check(s, value, path).length === 0);
    return ok ? [] : [`${path}: matches no anyOf branch`];
  }
  const type = schema.type as string | undefined;
  const actual = typeOf(value);
  if (type && !(actual === type || (type === "number" && actual === "integer"))) return [`${path}: expected ${type}, got ${actual}`];
  if ("const" in schema && value !== schema.const) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) errors.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof schema.minimum === "number" && (value as number) < schema.minimum) errors.push(`${path}: below minimum`);
  if (typeof schema.maximum === "number" && (value as number) > schema.maximum) errors.push(`${path}: above maximum`);
  if (typeof schema.pattern === "string" && !new RegExp(schema.pattern, "u").test(value as string)) errors.push(`${path}: does not match pattern`);
  if (actual === "array" && schema.items) (value as unknown[]).forEach((v, i) => errors.push(...check(schema.items as Schema, v, `${path}[${i}]`)));
  if (actual === "object") {
    const object = value as Record<string, unknown>;
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of (schema.required ?? []) as string[]) if (!(key in object)) errors.push(`${path}: missing required ${key}`);
    for (const [key, v] of Object.entries(object)) {
      if (properties[key]) errors.push(...check(properties[key], v, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected property ${key}`);
      else if (typeof schema.additionalProperties === "object") errors.push(...check(schema.additionalProperties as Schema, v, `${path}.${key}`));
    }
  }
  return errors;
}

/** A report with every nullable both null and set somewhere, nested records filled. */
function sampleReport(): RunReport {
  const events = [
    { type: "run-started", runId: "run-1", scenario: "demo", file: "demo.ts", seed: 3, pid: 1 },
    { type: "plan", faults: [{ id: "kill-app-2", kind: "kill", targets: ["app-2"], atMs: 1_000, healAtMs: 2_000 }] },
    { type: "traffic-started", originEpochMs: Date.parse("2025-01-01T10:00:00Z"), classes: ["devices"] },
    { type: "timeline", bucket: { traffic: "devices", second: 0, requests: 10, ok: 9, fail: 1, unknown: 0, causes: { http_201: 9, http_503: 1 }, latency: { "30": 10 } } },
    { type: "fault-injected", id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 1_000, mechanism: "docker kill", notes: [] },
  ].map((e, i) => JSON.stringify({ wall: new Date(Date.parse("2025-01-01T10:00:00Z") + i * 1000).toISOString(), atMs: i * 1000, ...e }));
  const { report } = rebuildFromEvents(events.join("\n") + "\n", { runDir: "/nonexistent", eventsPath: "events.ndjson" });
  return RunReport.parse({
    ...report,
    slos: [
      { id: "a", kind: "availability", verdict: "pass", observed: 99.5, target: ">= 99%", unit: "%", window: { label: "over the run", fromMs: 0, toMs: 1000 }, why: "ok" },
      { id: "b", kind: "lost-writes", verdict: "unknown", observed: null, target: "<= 0 lost", unit: "writes", window: null, why: "not read back" },
    ],
  });
}

describe("reports/report.schema.json", () => {
  it("is exactly what the RunReport zod schema generates (regenerate: npx tsx reports/write-json-schema.ts)", async () => {
    const committed = await readFile(join(import.meta.dirname, "../../reports/report.schema.json"), "utf8");
    expect(committed).toBe(reportJsonSchemaText());
  });

  it("is draft 2020-12 with every top-level key of report.json required, nullables as anyOf null", () => {
    const schema = reportJsonSchema();
    expect(schema.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(schema.required).toEqual(Object.keys(RunReport.shape));
    expect(schema.additionalProperties).toBe(false);
    expect((schema.properties as Record<string, Schema>).reason).toEqual({ anyOf: [{ type: "string" }, { type: "null" }] });
  });

  it("accepts a real report and rejects broken ones", () => {
    const schema = reportJsonSchema();
    const report = JSON.parse(JSON.stringify(sampleReport())) as Record<string, unknown>;
    expect(check(schema, report)).toEqual([]);
    const { verdict: _, ...noVerdict } = report;
    expect(check(schema, noVerdict)).toEqual(["$: missing required verdict"]);
    expect(check(schema, { ...report, verdict: "maybe" })).toEqual([`$.verdict: "maybe" not in enum`]);
    expect(check(schema, { ...report, startedAt: "yesterday" })).toEqual(["$.startedAt: does not match pattern"]);
    expect(check(schema, { ...report, faults: [{ id: "x" }] })).toContain("$.faults[0]: missing required healedAt");
  });
});
