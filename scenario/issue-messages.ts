import { z } from "zod";
import { nearest } from "../core/did-you-mean.ts";

/**
 * Messages that teach: zod's defaults say "Invalid input" for a misspelt `kind` and "Unrecognized key" for a misspelt
 * field; these name the valid values and the one probably meant. Given per parse (`safeParse(data, { error:
 * teachingErrorMap })`), it sees each issue with the schema that raised it (`inst`) and the value (`input`), so the
 * valid kinds, enum values and keys come from the schemas themselves and never drift from them. A message a schema
 * gives itself (e.g. `DurationMs`'s) wins over this map, and an issue this map does not know keeps zod's message.
 */
export const teachingErrorMap: z.core.$ZodErrorMap = teachingErrors();

/**
 * Receives the problems an element has when read as the option its misspelt discriminator probably meant
 * (`{ kind: "availabilty", atLeastPercnt: 99 }` read as kind "availability": the unknown key too), with paths relative
 * to `at`, the element's path. zod stops at the unknown kind; this way one run shows the element's other typos too.
 */
export type OnGuessedOption = (at: PropertyKey[], reading: string, issues: z.core.$ZodIssue[]) => void;

/** `teachingErrorMap`, optionally reporting what a guessed option finds (see OnGuessedOption). */
export function teachingErrors(onGuess?: OnGuessedOption): z.core.$ZodErrorMap {
  const map: z.core.$ZodErrorMap = (issue) => {
    switch (issue.code) {
      case "invalid_union":
        return issue.note === "No matching discriminator" ? unknownDiscriminator(issue, onGuess) : noUnionOption(issue);
      case "invalid_value":
        return unknownValue(issue.values, issue.input, issue.path);
      case "unrecognized_keys":
        return unknownKeys(issue.keys, issue.input, issue.inst);
      case "invalid_type":
        return wrongType(issue.expected, issue.input);
      case "too_big":
        return bound("at most", "less than", issue.maximum, issue.inclusive, issue.origin, issue.input);
      case "too_small":
        return bound("at least", "more than", issue.minimum, issue.inclusive, issue.origin, issue.input);
      case "invalid_format":
        return issue.format === "regex" && "pattern" in issue ? `expected text matching ${String(issue.pattern)}, got ${describeValue(issue.input)}` : `expected ${issue.format}, got ${describeValue(issue.input)}`;
      case "not_multiple_of":
        return `expected a multiple of ${String(issue.divisor)}, got ${describeValue(issue.input)}`;
      case "invalid_key":
        return `invalid key ${describeValue(issue.input)}`;
      default:
        return undefined;
    }
  };
  return map;
}

/** What zod's type names mean to a scenario's writer. */
const typeWords: Record<string, string> = {
  number: "a number",
  int: "a whole number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  tuple: "a list",
  object: "an object",
  record: "an object",
  bigint: "a number",
  date: "a date",
};

/** `missing (expected a number)`, `expected a number, got "6379": write 6379 without quotes`. */
function wrongType(expected: string, input: unknown): string {
  const want = typeWords[expected] ?? expected;
  if (input === undefined) return `missing (expected ${want})`;
  const got = `expected ${want}, got ${describeValue(input)}`;
  if ((expected === "number" || expected === "int") && typeof input === "string" && input.trim() !== "" && Number.isFinite(Number(input))) return `${got}: write ${input.trim()} without quotes`;
  if (expected === "int" && typeof input === "number") return `${got}: a whole number is needed here`;
  if (expected === "array" && input !== null && typeof input !== "object") return `${got}: write [${describeValue(input)}]`;
  return got;
}

/** `expected at most 100, got 120`, `expected at least 1 item, got none`: a limit in the words of what it limits. */
function bound(inclusiveWord: string, exclusiveWord: string, limit: unknown, inclusive: boolean | undefined, origin: string, input: unknown): string {
  const n = Number(limit);
  const word = inclusive === false ? exclusiveWord : inclusiveWord;
  switch (origin) {
    case "array":
    case "set":
      return `expected ${word} ${n} ${n === 1 ? "item" : "items"}, got ${Array.isArray(input) ? (input.length === 0 ? "none" : input.length) : describeValue(input)}`;
    case "string":
      if (n === 1 && word === "at least") return `expected a non-empty string, got ""`;
      return `expected ${word} ${n} ${n === 1 ? "character" : "characters"}, got ${typeof input === "string" ? input.length : describeValue(input)}`;
    default:
      return `expected ${word} ${String(limit)}, got ${describeValue(input)}`;
  }
}

/**
 * A schema's own message (a refinement's, a regex's "expected a lower-case name") with what was given, when it does
 * not say already: `expected a lower-case name, got "Notes DB crash"; write "notes-db-crash"`. Needs the issue's
 * input (parse with `reportInput: true`).
 */
export function givenValue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  if (!["invalid_format", "too_big", "too_small", "not_multiple_of"].includes(issue.code) || input === undefined || / got /.test(issue.message)) return issue.message;
  const pattern = issue.code === "invalid_format" && "pattern" in issue && typeof issue.pattern === "string" ? patternOf(issue.pattern) : undefined;
  const slug = typeof input === "string" ? input.trim().toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") : "";
  const fix = pattern && slug !== "" && slug !== input && pattern.test(slug) ? `; write "${slug}"` : "";
  return `${issue.message}, got ${describeValue(input)}${fix}`;
}

/** zod keeps a regex issue's pattern as the RegExp's source text, "/^[a-z]+$/". */
function patternOf(text: string): RegExp | undefined {
  const literal = /^\/(.*)\/([a-z]*)$/s.exec(text);
  try {
    return literal ? new RegExp(literal[1]!, literal[2]) : new RegExp(text);
  } catch {
    return undefined;
  }
}

type RawIssue<Code extends z.core.$ZodIssue["code"]> = Extract<z.core.$ZodRawIssue, { code: Code }>;

/** `kind: "availabilty"`: the valid kinds, and the one meant (whose other problems go to `onGuess`). */
function unknownDiscriminator(issue: RawIssue<"invalid_union">, onGuess: OnGuessedOption | undefined): string | undefined {
  const key = String(issue.discriminator ?? "kind");
  const union = issue.inst as z.core.$ZodDiscriminatedUnion | undefined;
  const values = union?._zod.propValues?.[key];
  if (!union || !values) return undefined;
  const given = isRecord(issue.input) ? issue.input[key] : undefined;
  const meant = typeof given === "string" ? nearest(given, [...values].map(String)) : undefined;
  const option = meant !== undefined ? union._zod.def.options.find((o) => o._zod.propValues?.[key]?.has(meant)) : undefined;
  if (onGuess && option && isRecord(issue.input)) {
    // The path is whole here: zod finalizes a discriminated union's own issue at the end of the parse (it would be
    // partial only inside a plain union's option, and no scenario puts a discriminated union there).
    const at = (issue.path ?? []).slice(0, -1);
    const reading = `${key} as "${meant}"`;
    const nested = teachingErrors((inner, innerReading, issues) => onGuess([...at, ...inner], innerReading, issues));
    const result = z.safeParse(option, { ...issue.input, [key]: meant }, { error: nested });
    if (!result.success) onGuess(at, reading, result.error.issues);
  }
  return unknownValue([...values], given, [key]);
}

/** An enum, literal or discriminator value that is none of `values`. */
function unknownValue(values: readonly unknown[], input: unknown, path: readonly PropertyKey[] | undefined): string {
  const valid = values.map((v) => (typeof v === "string" ? v : JSON.stringify(v)));
  const field = typeof path?.at(-1) === "string" ? String(path.at(-1)) : "value";
  if (input === undefined) return `missing ${field}; expected one of: ${valid.join(", ")}`;
  if (values.length === 1) return `expected ${describeValue(values[0])}, got ${describeValue(input)}`;
  const meant = typeof input === "string" ? nearest(input, valid) : undefined;
  const head = `unknown ${field} ${describeValue(input)}`;
  const list = `expected one of: ${valid.join(", ")}`;
  return meant !== undefined ? `${head}; did you mean "${meant}"? ${list}` : `${head}; ${list}`;
}

/**
 * Keys only one kind has. `when` is restore-only: a generic "inject when" would need heals timed from the condition
 * and conditions the traffic cannot express (failover done), see docs/recovery.md.
 */
const ONE_KIND_KEYS: Record<string, string> = {
  when: 'only a restore step starts on a condition (kind "restore"); other faults start at "at"',
};

/** `atLeastPercnt`: the known key meant (preferring keys not given yet), else every known key. */
function unknownKeys(keys: readonly string[], input: unknown, inst: unknown): string | undefined {
  const shape = (inst as z.core.$ZodObject | undefined)?._zod.def.shape;
  if (!shape) return undefined;
  const known = Object.keys(shape);
  const given = new Set(isRecord(input) ? Object.keys(input) : []);
  const missing = known.filter((k) => !given.has(k));
  return keys
    .map((key) => {
      // A key that exists on one kind only: say where it belongs rather than guess a near one.
      const elsewhere = ONE_KIND_KEYS[key];
      if (elsewhere && !known.includes(key)) return `unknown key "${key}": ${elsewhere}; known keys: ${known.join(", ")}`;
      const meant = nearest(key, missing) ?? nearest(key, known);
      return meant !== undefined ? `unknown key "${key}"; did you mean "${meant}"?` : `unknown key "${key}"; known keys: ${known.join(", ")}`;
    })
    .join("; ");
}

/**
 * The keys an unknown-key message (unknownKeys above) says were meant: `unknown key "atMots"; did you mean "atMost"?`
 * gives ["atMost"]. A required key that was meant is "missing" only because of the typo, so that line is dropped.
 */
export function meantKeys(message: string): string[] {
  return [...message.matchAll(/unknown key "[^"]*"; did you mean "([^"]+)"\?/g)].map((m) => m[1]!);
}

/** A plain union (e.g. `from: { node } | { primaryOf }`): the shapes it takes, and what is wrong for the one that fits. */
function noUnionOption(issue: RawIssue<"invalid_union">): string | undefined {
  const options = (issue.inst as z.core.$ZodUnion | undefined)?._zod.def.options;
  if (!options) return undefined;
  const expected = `expected ${options.map(describeSchema).join(" or ")}, got ${describeValue(issue.input)}`;
  const fitting = fittingOption(issue.errors);
  if (fitting === undefined) return `${expected}${keyHints(options, issue.input)}`;
  const inner = issue.errors[fitting]!.map((e) => `${formatPath(e.path)}: ${e.message}`).join("; ");
  return `${expected}; as ${describeSchema(options[fitting]!)}: ${inner}`;
}

/**
 * Of a union's options (each option's problems), the one the value was meant for: nothing wrong at its root (right
 * type, no unknown key), the fewest problems inside. Its inner problems are the news; undefined when none fits.
 */
export function fittingOption(errors: readonly (readonly z.core.$ZodIssue[])[]): number | undefined {
  let best: number | undefined;
  errors.forEach((option, i) => {
    if (option.length === 0 || option.some((e) => e.path.length === 0)) return;
    if (best === undefined || option.length < errors[best]!.length) best = i;
  });
  return best;
}

/** For an object that fits no object option: the key probably meant for each key no option knows. */
function keyHints(options: readonly z.core.$ZodType[], input: unknown): string {
  if (!isRecord(input)) return "";
  const known = options.flatMap((o) => (o._zod.def.type === "object" ? Object.keys((o as z.core.$ZodObject)._zod.def.shape) : []));
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .flatMap((key) => {
      const meant = nearest(key, known);
      return meant !== undefined ? [`; "${key}": did you mean "${meant}"?`] : [];
    })
    .join("");
}

/** A short picture of what a schema takes: `{ node }`, `{ mode, percent? }`, `a list`, `"halves" | "bridge"`. */
export function describeSchema(schema: z.core.$ZodType): string {
  const def = schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;
  switch (def.type) {
    case "object": {
      const shape = def.shape as Record<string, z.core.$ZodType>;
      return `{ ${Object.entries(shape)
        .map(([k, v]) => (v._zod.optin === "optional" ? `${k}?` : k))
        .join(", ")} }`;
    }
    case "array":
    case "tuple":
      return "a list";
    case "enum":
    case "literal":
      return [...(schema._zod.values ?? [])].map((v) => describeValue(v)).join(" | ");
    case "union":
      return (def.options as z.core.$ZodType[]).map(describeSchema).join(" or ");
    case "pipe":
      return describeSchema(def.in as z.core.$ZodType);
    case "default":
    case "optional":
    case "nullable":
    case "readonly":
      return describeSchema(def.innerType as z.core.$ZodType);
    default:
      return `a ${def.type}`;
  }
}

/** A value as the user wrote it, short: `"fast"`, `12`, `{ nodes }` (an object by its keys), `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (isRecord(value)) {
    const keys = Object.keys(value);
    return keys.length === 0 ? "{}" : `{ ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", ..." : ""} }`;
  }
  const text = typeof value === "string" ? JSON.stringify(value) : String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * `traffic[0].target.port` style, or `(root)`. A key that is not a plain word (a space, a dot, nothing) is quoted,
 * `env["x y"]`, so the path reads unambiguously up to the ": " before the message.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  const plain = /^[A-Za-z_$][\w$-]*$/;
  return path
    .map((p, i) => (typeof p === "number" ? `[${p}]` : typeof p === "string" && !plain.test(p) ? `[${JSON.stringify(p)}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join("");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
