import { z } from "zod";
import { fittingOption, teachingErrors } from "./issue-messages.ts";
import { Scenario } from "./scenario.ts";
import { runScenarioChecks, type IssuePath, type ScenarioParts } from "./scenario-checks.ts";

/** One problem of a scenario: where, and what is wrong (and, where it can tell, what was meant). */
export interface ScenarioIssue {
  path: IssuePath;
  message: string;
}

export type ScenarioValidation = { success: true; data: Scenario } | { success: false; issues: ScenarioIssue[] };

/**
 * Validates scenario data and reports every problem at once. zod skips an object's refinements while its shape has
 * problems, so the Scenario schema alone would hide a selector that matches no node behind a misspelt SLO kind, and
 * show it one run later. Here, when the schema refuses the scenario, each top-level part is parsed on its own (each
 * element of a list too), and the cross-reference checks run on the parts that parsed (core/scenario-checks.ts, the
 * same functions the schema's refinement runs). Messages come from `teachingErrors`; an element whose `kind` is
 * misspelt is also read as the kind probably meant, so its other typos show in the same run.
 */
export function validateScenario(data: unknown): ScenarioValidation {
  const guessed: ScenarioIssue[] = [];
  const error = teachingErrors((at, reading, found) =>
    guessed.push(...found.flatMap((issue) => liftUnionProblems(issue, at)).map((issue) => ({ ...issue, message: `${issue.message} (reading ${reading})` }))),
  );
  const parsed = Scenario.safeParse(data, { error });
  if (parsed.success) return { success: true, data: parsed.data };
  const issues: ScenarioIssue[] = [...parsed.error.issues.flatMap((issue) => liftUnionProblems(issue)), ...guessed];
  runScenarioChecks(salvageParts(data), (path, message) => issues.push({ path, message }));
  return { success: false, issues: inFileOrder(withoutRepeats(issues)) };
}

/**
 * The parts of `data` that parse on their own: a part that does not is left out; a list keeps the elements that
 * parse (undefined for the others); a topology keeps the nodes that parse. What a part's own refinements refuse
 * (e.g. a duplicate node name) is kept when its shape is right: the refinement's problem is reported anyway, and the
 * other parts' checks still need that part.
 */
export function salvageParts(data: unknown): ScenarioParts {
  if (!isRecord(data)) return {};
  const parts: Record<string, unknown> = {};
  const unparsed = { nodes: [] as (string | undefined)[], traffic: [] as (string | undefined)[], faults: [] as (string | undefined)[] };
  for (const [key, schema] of Object.entries(Scenario.shape) as [string, z.ZodType][]) {
    const raw = data[key];
    const whole = parseShape(schema, raw);
    if (whole.ok) parts[key] = whole.value;
    else if (key === "topology") {
      const topology = salvageTopology(raw);
      if (topology) {
        parts[key] = topology.value;
        unparsed.nodes.push(...topology.unparsedNodes);
      }
    } else {
      const element = listElement(schema);
      if (!element || !Array.isArray(raw)) continue;
      parts[key] = raw.map((item: unknown, i) => {
        const one = parseShape(element, item);
        if (one.ok) return one.value;
        if (key === "traffic") unparsed.traffic.push(stringField(item, "name"));
        if (key === "faults") {
          const id = isRecord(item) && item.id === undefined ? stringField(item, "kind")?.concat(`-${i}`) : stringField(item, "id");
          unparsed.faults.push(id);
        }
        return undefined;
      });
    }
  }
  return { ...(parts as ScenarioParts), unparsed };
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

/** The topology with the nodes that do not parse left out (their names noted), if the rest then parses. */
function salvageTopology(raw: unknown): { value: unknown; unparsedNodes: (string | undefined)[] } | undefined {
  const Topology = Scenario.shape.topology;
  const NodeSpec = Topology.shape.nodes.element;
  if (!isRecord(raw) || !Array.isArray(raw.nodes)) return undefined;
  const nodes: unknown[] = raw.nodes;
  const good = nodes.filter((node) => NodeSpec.safeParse(node).success);
  const unparsedNodes = nodes.filter((node) => !NodeSpec.safeParse(node).success).map((node) => stringField(node, "name"));
  const partial = parseShape(Topology, { ...raw, nodes: good });
  return partial.ok ? { value: partial.value, unparsedNodes } : undefined;
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
  if (issue.code !== "invalid_union" || fitting === undefined) return [{ path: path.map(pathKey), message: issue.message }];
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
