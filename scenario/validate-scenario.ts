import { z } from "zod";
import { nearest } from "../core/did-you-mean.ts";
import { fittingOption, givenValue, meantKeys, teachingErrors } from "./issue-messages.ts";
import { Scenario } from "./scenario.ts";
import { runScenarioChecks, type IssuePath, type ScenarioParts } from "./scenario-checks.ts";

/** One problem of a scenario: where, and what is wrong (and, where it can tell, what was meant). */
export interface ScenarioIssue {
  path: IssuePath;
  message: string;
}

export type ScenarioValidation = { success: true; data: Scenario } | { success: false; issues: ScenarioIssue[] };

export interface ValidateOptions {
  /** Problems found before validation (files the scenario names that are not there), reported with the schema's. */
  issues?: readonly ScenarioIssue[];
  /** Top-level parts whose problems are all in `issues` already (a compose topology that could not be read). */
  reported?: readonly string[];
}

/**
 * Validates scenario data and reports every problem at once. zod skips an object's refinements while its shape has
 * problems, so the Scenario schema alone would hide a selector that matches no node behind a misspelt SLO kind, and
 * show it one run later. Here, when the schema refuses the scenario, each top-level part is parsed on its own (each
 * element of a list too, and of an element that does not parse, each field), and the cross-reference checks run on
 * what parsed (scenario/scenario-checks.ts, the same functions the schema's refinement runs). Messages come from
 * `teachingErrors`; an element whose `kind` is misspelt is also read as the kind probably meant, so its other
 * typos show in the same run.
 */
export function validateScenario(data: unknown, options: ValidateOptions = {}): ScenarioValidation {
  const reported = new Set(options.reported ?? []);
  const known = options.issues ?? [];
  const guessed: ScenarioIssue[] = [];
  const error = teachingErrors((at, reading, found) =>
    guessed.push(...found.flatMap((issue) => liftUnionProblems(issue, at)).map((issue) => ({ ...issue, message: `${issue.message} (reading ${reading})` }))),
  );
  const parsed = Scenario.safeParse(data, { error, reportInput: true });
  if (parsed.success && known.length === 0) return { success: true, data: parsed.data };
  const issues: ScenarioIssue[] = [...known];
  if (!parsed.success) {
    const own = [...parsed.error.issues.filter((issue) => !isCrossReference(issue)).flatMap((issue) => liftUnionProblems(issue)), ...guessed];
    issues.push(...own.filter((issue) => !reported.has(String(issue.path[0]))));
    runScenarioChecks(salvageParts(data, reported), (path, message) => issues.push({ path, message }));
  }
  return { success: false, issues: inFileOrder(withoutTypoFollowOns(withoutRepeats(issues))) };
}

/**
 * The parts of `data` that parse on their own: a part that does not is left out; a list keeps the elements that
 * parse (undefined for the others, whose fields that parse are kept in `salvaged`); a topology keeps the nodes that
 * parse, and its nodes are kept when the rest of it does not parse. What a part's own refinements refuse (e.g. a
 * duplicate node name) is kept when its shape is right: the refinement's problem is reported anyway, and the other
 * parts' checks still need that part. A part in `reported` (or a required list left empty) cannot be read: no
 * reference into it is called unknown.
 */
export function salvageParts(data: unknown, reported: ReadonlySet<string> = new Set()): ScenarioParts {
  if (!isRecord(data)) return {};
  const parts: Record<string, unknown> = {};
  const unparsed = { nodes: [] as (string | undefined)[], traffic: [] as (string | undefined)[], faults: [] as (string | undefined)[], slos: [] as (string | undefined)[] };
  const salvaged: Required<NonNullable<ScenarioParts["salvaged"]>> = { faults: [], traffic: [], slos: [], readback: [] };
  for (const [key, schema] of Object.entries(Scenario.shape) as [string, z.ZodType][]) {
    const raw = data[key];
    if (reported.has(key) || (Array.isArray(raw) && raw.length === 0 && !schema.safeParse(raw).success)) {
      // Its problems are reported already; what it declares cannot be read.
      if (key === "topology" || key === "traffic" || key === "faults" || key === "slos") unparsed[key === "topology" ? "nodes" : key].push(undefined);
      continue;
    }
    const whole = parseShape(schema, raw);
    if (whole.ok) parts[key] = whole.value;
    else if (key === "topology") {
      const topology = salvageTopology(raw);
      if (topology) {
        if (topology.value !== undefined) parts[key] = topology.value;
        parts.nodes = topology.nodes;
        unparsed.nodes.push(...topology.unparsedNodes);
      }
    } else {
      const element = listElement(schema);
      if (!element || !Array.isArray(raw)) continue;
      parts[key] = raw.map((item: unknown, i) => {
        const one = parseShape(element, item);
        if (one.ok) return one.value;
        const fields = salvageFields(element, item);
        if (key in salvaged) (salvaged[key as keyof typeof salvaged] as unknown[])[i] = fields;
        if (key === "traffic") unparsed.traffic.push(stringField(fields, "name") ?? stringField(item, "name"));
        if (key === "slos") unparsed.slos.push(stringField(fields, "id"));
        if (key === "faults") {
          const id = isRecord(item) && item.id === undefined ? stringField(item, "kind")?.concat(`-${i}`) : stringField(fields, "id");
          unparsed.faults.push(id);
        }
        return undefined;
      });
    }
  }
  return { ...(parts as ScenarioParts), unparsed, salvaged };
}

/**
 * The fields of a list element that parse on their own, read as the option of its union that its `kind` (or
 * `script`) names, or the one probably meant: `{ kind: "kill", target: { role: "db" }, at: 10 }` still has a target.
 */
function salvageFields(element: z.ZodType, item: unknown): Record<string, unknown> | undefined {
  if (!isRecord(item)) return undefined;
  const shape = objectShape(optionFor(element, item));
  if (!shape) return undefined;
  const fields: Record<string, unknown> = {};
  for (const [field, schema] of Object.entries(shape)) {
    const one = (schema as z.ZodType).safeParse(item[field]);
    if (one.success && one.data !== undefined) fields[field] = one.data;
  }
  return fields;
}

/** The option of a discriminated union an item is (or was probably meant as); the schema itself otherwise. */
function optionFor(schema: z.ZodType, item: Record<string, unknown>): z.core.$ZodType {
  if (!(schema instanceof z.ZodDiscriminatedUnion)) return schema;
  const key = schema._zod.def.discriminator;
  const options = schema._zod.def.options as z.core.$ZodType[];
  const given = item[key];
  const values = options.flatMap((o) => [...(o._zod.propValues?.[key] ?? [])].map(String));
  const meant = typeof given === "string" ? (values.includes(given) ? given : nearest(given, values)) : undefined;
  return options.find((o) => meant !== undefined && o._zod.propValues?.[key]?.has(meant)) ?? schema;
}

/** The fields of an object schema, also inside the pipe a `.transform` makes; undefined for other schemas. */
function objectShape(schema: z.core.$ZodType): Record<string, z.core.$ZodType> | undefined {
  let inner = schema;
  while (inner._zod.def.type === "pipe") inner = (inner._zod.def as z.core.$ZodPipeDef).in;
  return inner._zod.def.type === "object" ? (inner._zod.def as z.core.$ZodObjectDef).shape : undefined;
}

type Parsed = { ok: true; value: unknown } | { ok: false };

/** Parses with the schema, else with the schema minus its own refinements (its shape is all the checks need). */
function parseShape(schema: z.ZodType, raw: unknown): Parsed {
  const full = schema.safeParse(raw);
  if (full.success) return { ok: true, value: full.data };
  const checks = schema._zod.def.checks;
  if (!checks?.length) return { ok: false };
  const shapeOnly = schema.clone({ ...schema._zod.def, checks: [] } as typeof schema._zod.def).safeParse(raw);
  return shapeOnly.success ? { ok: true, value: shapeOnly.data } : { ok: false };
}

/**
 * The topology's nodes that parse (undefined for the others, whose names are noted), and the topology with those
 * nodes if the rest of it then parses; undefined when it has no list of nodes to read.
 */
function salvageTopology(raw: unknown): { value: unknown; nodes: unknown[]; unparsedNodes: (string | undefined)[] } | undefined {
  const Topology = Scenario.shape.topology;
  const NodeSpec = Topology.shape.nodes.element;
  if (!isRecord(raw) || !Array.isArray(raw.nodes)) return undefined;
  const nodes = (raw.nodes as unknown[]).map((node) => {
    const one = NodeSpec.safeParse(node);
    return one.success ? one.data : undefined;
  });
  const unparsedNodes = (raw.nodes as unknown[]).filter((_, i) => nodes[i] === undefined).map((node) => stringField(node, "name"));
  const partial = parseShape(Topology, { ...raw, nodes: (raw.nodes as unknown[]).filter((_, i) => nodes[i] !== undefined) });
  return { value: partial.ok ? partial.value : undefined, nodes, unparsedNodes };
}

/** The element schema of a list field (`z.array(X)`, also with `.default`/`.optional`), else undefined. */
function listElement(schema: z.ZodType): z.ZodType | undefined {
  let inner: z.core.$ZodType = schema;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) inner = inner._zod.def.innerType;
  return inner instanceof z.ZodArray ? (inner.element as z.ZodType) : undefined;
}

/**
 * A union the value was clearly meant as one option of (`groups: { mode: "halfs" }`) reports that option's problems
 * at their own paths (`groups.mode: unknown mode "halfs"; did you mean "halves"?`) instead of "no option matched".
 */
function liftUnionProblems(issue: z.core.$ZodIssue, prefix: PropertyKey[] = []): ScenarioIssue[] {
  const path = [...prefix, ...issue.path];
  const fitting = issue.code === "invalid_union" ? fittingOption(issue.errors) : undefined;
  if (issue.code !== "invalid_union" || fitting === undefined) return [{ path: path.map(pathKey), message: givenValue(issue) }];
  return issue.errors[fitting]!.flatMap((inner) => liftUnionProblems(inner, path));
}

/** A check that both the schema's refinement and the salvage ran reports the same problem twice: keep one. */
function withoutRepeats(issues: ScenarioIssue[]): ScenarioIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = JSON.stringify([issue.path, issue.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** `atMots: 0` makes `atMost` missing: the unknown key's message names it, so "missing" would only repeat the typo. */
function withoutTypoFollowOns(issues: ScenarioIssue[]): ScenarioIssue[] {
  const meant = new Set(issues.flatMap((issue) => meantKeys(issue.message).map((key) => JSON.stringify([...issue.path, key]))));
  return issues.filter((issue) => !(issue.message.startsWith("missing (") && meant.has(JSON.stringify(issue.path))));
}

/** Problems in the order of the file: top-level fields as the schema lists them, list elements by index. Stable. */
function inFileOrder(issues: ScenarioIssue[]): ScenarioIssue[] {
  const keys = Object.keys(Scenario.shape);
  const rank = (issue: ScenarioIssue): [number, number] => {
    const [first, second] = issue.path;
    return [first === undefined ? -1 : keys.indexOf(String(first)), typeof second === "number" ? second : -1];
  };
  return [...issues].sort((a, b) => {
    const [a1, a2] = rank(a);
    const [b1, b2] = rank(b);
    return a1 - b1 || a2 - b2;
  });
}

/** An issue of the Scenario's own cross-reference refinement (see scenario.ts). */
function isCrossReference(issue: z.core.$ZodIssue): boolean {
  return issue.code === "custom" && (issue.params as { crossReference?: boolean } | undefined)?.crossReference === true;
}

function pathKey(key: PropertyKey): string | number {
  return typeof key === "number" ? key : String(key);
}

/** `item[key]` when it is a string: the name an element that did not parse was given, if it can be read. */
function stringField(item: unknown, key: string): string | undefined {
  return isRecord(item) && typeof item[key] === "string" ? item[key] : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
