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
        return issue.input === undefined ? `missing (expected ${issue.expected})` : `expected ${issue.expected}, got ${describeValue(issue.input)}`;
      default:
        return undefined;
    }
  };
  return map;
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

/** `atLeastPercnt`: the known key meant (preferring keys not given yet), else every known key. */
function unknownKeys(keys: readonly string[], input: unknown, inst: unknown): string | undefined {
  const shape = (inst as z.core.$ZodObject | undefined)?._zod.def.shape;
  if (!shape) return undefined;
  const known = Object.keys(shape);
  const given = new Set(isRecord(input) ? Object.keys(input) : []);
  const missing = known.filter((k) => !given.has(k));
  return keys
    .map((key) => {
      const meant = nearest(key, missing) ?? nearest(key, known);
      return meant !== undefined ? `unknown key "${key}"; did you mean "${meant}"?` : `unknown key "${key}"; known keys: ${known.join(", ")}`;
    })
    .join("; ");
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
