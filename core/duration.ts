import { z } from "zod";

/** The units a duration string may use, largest first (Go's and k6's, down to milliseconds: havoc counts whole ms). */
export type DurationUnit = "h" | "m" | "s" | "ms";
type Part = `${number}${DurationUnit}`;

/**
 * A duration as a scenario writes it: a string of one to four parts, largest unit first, as k6 and Go write them:
 * "500ms", "20s", "2m", "1m30s", "1h2m", "2s500ms". Never a bare number: `at: 10` reads as ten seconds to a person
 * and meant ten milliseconds to havoc, so a number is refused with the two strings it may have meant. A computed
 * duration is a template string: `${ms}ms` or `${seconds}s`.
 */
export type DurationInput = Part | `${Part}${Part}` | `${Part}${Part}${Part}` | `${Part}${Part}${Part}${Part}`;

/**
 * A field whose name ends in `Ms` (`timeoutMs`, `latencyMs`): its name states the unit, so a number there is
 * milliseconds and says so where it is written; a duration string is read too.
 */
export type MillisecondsInput = number | DurationInput;

const unitMs: Record<DurationUnit, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const unitOrder: readonly DurationUnit[] = ["h", "m", "s", "ms"];
const examples = '"20s", "1m30s" or "500ms"';
/** One part: a number and a unit; "ms" before "m" so that "500ms" is not read as 500 minutes and a stray "s". */
const partPattern = /(\d+(?:\.\d+)?|\.\d+)(ms|h|m|s)/y;

export type DurationCheck = { ok: true; ms: number } | { ok: false; message: string };

export interface DurationOptions {
  /**
   * What a number is: "refused" (default: a duration field, where `10` could mean seconds or milliseconds) or
   * "milliseconds" (a field whose name ends in Ms).
   */
  numbers?: "refused" | "milliseconds";
}

/**
 * Reads a duration to whole milliseconds, or says why it is none: what was given and what to write instead, in the
 * writer's own units where they can be recognised ("20 secs" -> "20s", "30s1m" -> "1m30s", 10 -> "10s" or "10ms").
 */
export function checkDuration(input: unknown, options: DurationOptions = {}): DurationCheck {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) return refuse(input);
    if (options.numbers === "milliseconds") return input >= 0 ? { ok: true, ms: Math.round(input) } : refuse(input, "a duration is never negative");
    return { ok: false, message: bareNumberMessage(input) };
  }
  if (typeof input !== "string") return refuse(input);
  const text = input.trim();
  const parts = strictParts(text);
  if (parts) {
    const order = parts.map((p) => unitOrder.indexOf(p.unit));
    const inOrder = order.every((o, i) => i === 0 || o > order[i - 1]!);
    if (inOrder) return { ok: true, ms: Math.round(parts.reduce((sum, p) => sum + p.value * unitMs[p.unit], 0)) };
    return refuse(input, `write each unit once, largest first: "${rewrite(parts)}"`);
  }
  return refuse(input, suggestion(text));
}

/**
 * `10 has no unit: for 10 seconds write "10s", for 10 milliseconds "10ms"`: the two readings of a bare number, in
 * the writer's units ("1m30s" for 90 seconds). From 1000 on, the milliseconds reading first: such a number was
 * likely computed in milliseconds.
 */
function bareNumberMessage(n: number): string {
  if (n < 0) return `${n} is no duration (a duration is never negative, and needs a unit, e.g. "${-n}s")`;
  if (n === 0) return `0 has no unit: write "0s"`;
  const seconds = Number.isInteger(n) ? formatDuration(n * 1000) : `${n}s`;
  const millis = Number.isInteger(n) ? formatDuration(n) : `${n}ms`;
  return n >= 1000
    ? `${n} has no unit: for ${n} milliseconds write "${millis}", for ${n} seconds "${seconds}"`
    : `${n} has no unit: for ${n} seconds write "${seconds}", for ${n} milliseconds "${millis}"`;
}

/**
 * Parses a duration string to whole milliseconds; undefined when it is none (see checkDuration for why). A number
 * is refused unless `options.numbers` is "milliseconds".
 */
export function parseDurationMs(input: number | string, options: DurationOptions = {}): number | undefined {
  const checked = checkDuration(input, options);
  return checked.ok ? checked.ms : undefined;
}

/** What a duration field takes, for the scenario reference (scenario/reference/): its numbers and its bounds. */
export interface DurationField {
  numbers: "refused" | "milliseconds";
  minMs?: number;
  maxMs?: number;
}

/** The duration fields' schemas (as made below), so the scenario reference can name their unit. */
export const durationFields = new WeakMap<z.core.$ZodType, DurationField>();

function durationSchema(options: DurationOptions) {
  const schema = z
    .union([z.number(), z.string()], { error: (issue) => (issue.input === undefined ? `missing (expected a duration such as ${examples})` : refusalMessage(issue.input)) })
    .transform((value, ctx) => {
      const checked = checkDuration(value, options);
      if (checked.ok) return checked.ms;
      ctx.addIssue({ code: "custom", message: checked.message });
      return z.NEVER;
    });
  durationFields.set(schema, { numbers: options.numbers ?? "refused" });
  return schema;
}

/**
 * Zod schema of a duration field: a DurationInput string, yielding milliseconds (number >= 0). A number is refused
 * with the strings it may have meant. Typed as its strings, so the editor flags `at: 10` before havoc does.
 */
export const DurationMs = durationSchema({}) as unknown as z.ZodType<number, DurationInput>;

/** Zod schema of a field named `...Ms`: a number of milliseconds (the name says so) or a duration string. */
export const Milliseconds = durationSchema({ numbers: "milliseconds" }) as unknown as z.ZodType<number, MillisecondsInput>;

/**
 * Zod schema of a duration option of a helper of one's own (`parseHelperOptions` of `havoc`): the string as
 * written, checked like a scenario's (a number refused with what it may have meant), to be passed on unchanged.
 */
export const DurationText = z.custom<DurationInput>().superRefine((value, ctx) => {
  const checked = checkDuration(value);
  if (!checked.ok) ctx.addIssue({ code: "custom", message: value === undefined ? `missing (expected a duration such as ${examples})` : checked.message });
});

/**
 * A duration with bounds, each refusal in the writer's units: `expected at least 1s, got 500ms`. Milliseconds
 * in, like every bound of the code; `Milliseconds` instead of `DurationMs` with `numbers: "milliseconds"`.
 */
export function boundedDuration(bounds: { minMs?: number; maxMs?: number }, options: DurationOptions = {}): z.ZodType<number, DurationInput> {
  let inner = z.number();
  if (bounds.minMs !== undefined) {
    const min = bounds.minMs;
    inner = inner.min(min, { error: (issue) => `expected at least ${formatDuration(min)}, got ${formatDuration(Number(issue.input))}` });
  }
  if (bounds.maxMs !== undefined) {
    const max = bounds.maxMs;
    inner = inner.max(max, { error: (issue) => `expected at most ${formatDuration(max)}, got ${formatDuration(Number(issue.input))}` });
  }
  const schema = durationSchema(options).pipe(inner);
  durationFields.set(schema, { numbers: options.numbers ?? "refused", ...bounds });
  return schema as unknown as z.ZodType<number, DurationInput>;
}

/**
 * Milliseconds in the largest exact units, as a scenario would write them: 90000 -> "1m30s", 250 -> "250ms",
 * 3600000 -> "1h", 0 -> "0s". Fractions of a millisecond are rounded.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (ms < 0) return `-${formatDuration(-ms)}`;
  let rest = Math.round(ms);
  if (rest === 0) return "0s";
  let out = "";
  for (const unit of unitOrder) {
    const count = Math.floor(rest / unitMs[unit]);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * unitMs[unit];
  }
  return out;
}

/** "20.0 s" for reports. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

interface ParsedPart {
  value: number;
  unit: DurationUnit;
  text: string;
}

/** The parts of a well-formed duration string ("1m30s"), whatever their order; undefined when it is not one. */
function strictParts(text: string): ParsedPart[] | undefined {
  if (text === "") return undefined;
  const parts: ParsedPart[] = [];
  partPattern.lastIndex = 0;
  while (partPattern.lastIndex < text.length) {
    const match = partPattern.exec(text);
    if (!match) return undefined;
    parts.push({ value: Number(match[1]), unit: match[2] as DurationUnit, text: match[1]! });
  }
  return parts;
}

/** The parts summed per unit and written largest first, keeping the writer's numbers: "30s1m" -> "1m30s". */
function rewrite(parts: readonly ParsedPart[]): string {
  return unitOrder
    .map((unit) => {
      const same = parts.filter((p) => p.unit === unit);
      if (same.length === 0) return "";
      return `${same.length === 1 ? same[0]!.text : String(same.reduce((sum, p) => sum + p.value, 0))}${unit}`;
    })
    .join("");
}

/** Words people write for units, and what havoc writes. */
const unitWords: Record<string, DurationUnit | "d" | "sub-ms"> = {
  h: "h", hr: "h", hrs: "h", hour: "h", hours: "h",
  m: "m", min: "m", mins: "m", minute: "m", minutes: "m",
  s: "s", sec: "s", secs: "s", second: "s", seconds: "s",
  ms: "ms", msec: "ms", msecs: "ms", milli: "ms", millis: "ms", millisecond: "ms", milliseconds: "ms",
  d: "d", day: "d", days: "d",
  us: "sub-ms", "µs": "sub-ms", ns: "sub-ms", microsecond: "sub-ms", microseconds: "sub-ms", nanosecond: "sub-ms", nanoseconds: "sub-ms",
};

/** What to write instead of a string that is not a duration, when its intent can be read; else undefined. */
function suggestion(text: string): string | undefined {
  if (text === "") return undefined;
  if (/^-/.test(text)) return "a duration is never negative";
  if (/^\d+(\.\d+)?$/.test(text)) return `a string needs a unit: write "${text}s", "${text}ms" or "${text}m"`;
  // Loose parts: "20 secs", "1m 30s", "2 minutes, 30 seconds", "1.5 Hours", "1m30" (a unit left off at the end).
  const loose = /(\d+(?:\.\d+)?|\.\d+)\s*([a-zµ]*)[\s,]*(?:and\s+)?/giy;
  const parts: ParsedPart[] = [];
  let days = 0;
  let subMs = false;
  loose.lastIndex = 0;
  while (loose.lastIndex < text.length) {
    const start = loose.lastIndex;
    const match = loose.exec(text);
    if (!match || loose.lastIndex === start) return undefined;
    const word = match[2]!.toLowerCase();
    const isLast = loose.lastIndex >= text.length;
    let unit: DurationUnit | "d" | "sub-ms" | undefined = unitWords[word];
    // "1m30": Go and k6 refuse a bare number after a unit too; the next smaller unit is what was meant.
    if (word === "" && isLast && parts.length > 0) unit = unitOrder[unitOrder.indexOf(parts.at(-1)!.unit) + 1];
    if (unit === undefined) return undefined;
    if (unit === "d") days += Number(match[1]);
    else if (unit === "sub-ms") subMs = true;
    else parts.push({ value: Number(match[1]), unit, text: match[1]! });
  }
  if (subMs) return "havoc counts whole milliseconds: write at least \"1ms\"";
  if (days > 0) parts.push({ value: days * 24, unit: "h", text: String(days * 24) });
  if (parts.length === 0) return undefined;
  return `write "${rewrite(parts)}"`;
}

function refusalMessage(input: unknown, fix?: string): string {
  const got = typeof input === "string" ? JSON.stringify(input) : typeof input === "number" ? String(input) : (JSON.stringify(input) ?? String(input));
  return `expected a duration such as ${examples}; got ${got}${fix ? `: ${fix}` : ""}`;
}

function refuse(input: unknown, fix?: string): { ok: false; message: string } {
  return { ok: false, message: refusalMessage(input, fix) };
}
