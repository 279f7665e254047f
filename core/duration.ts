import { z } from "zod";

/** The units a duration string may use, largest first (Go's and k6's, down to milliseconds: havoc counts whole ms). */
export type DurationUnit = "h" | "m" | "s" | "ms";
type Part = `${number}${DurationUnit}`;

/**
 * A duration written in a scenario: milliseconds as a number, or a string of one to four parts, largest unit first,
 * as k6 and Go write them: "500ms", "20s", "2m", "1m30s", "1h2m", "2s500ms".
 */
export type DurationInput = number | Part | `${Part}${Part}` | `${Part}${Part}${Part}` | `${Part}${Part}${Part}${Part}`;

const unitMs: Record<DurationUnit, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const unitOrder: readonly DurationUnit[] = ["h", "m", "s", "ms"];
const examples = '"20s", "1m30s" or "500ms"';
/** One part: a number and a unit; "ms" before "m" so that "500ms" is not read as 500 minutes and a stray "s". */
const partPattern = /(\d+(?:\.\d+)?|\.\d+)(ms|h|m|s)/y;

export type DurationCheck = { ok: true; ms: number } | { ok: false; message: string };

/**
 * Reads a duration to whole milliseconds, or says why it is none: what was given and what to write instead, in the
 * writer's own units where they can be recognised ("20 secs" -> "20s", "30s1m" -> "1m30s").
 */
export function checkDuration(input: unknown): DurationCheck {
  if (typeof input === "number") {
    if (Number.isFinite(input) && input >= 0) return { ok: true, ms: Math.round(input) };
    return refuse(input, Number.isFinite(input) ? "a duration is never negative" : undefined);
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

/** Parses a duration to whole milliseconds; undefined when the input is not a duration (see checkDuration for why). */
export function parseDurationMs(input: number | string): number | undefined {
  const checked = checkDuration(input);
  return checked.ok ? checked.ms : undefined;
}

/** Zod schema: accepts a DurationInput, yields milliseconds (number >= 0). */
export const DurationMs = z
  .union([z.number(), z.string()], { error: (issue) => (issue.input === undefined ? `missing (expected a duration such as ${examples})` : refusalMessage(issue.input)) })
  .transform((value, ctx) => {
    const checked = checkDuration(value);
    if (checked.ok) return checked.ms;
    ctx.addIssue({ code: "custom", message: checked.message });
    return z.NEVER;
  });

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
  if (/^\d+(\.\d+)?$/.test(text)) return `a string needs a unit: write "${text}ms", "${text}s" or "${text}m" (or the number ${text} for milliseconds)`;
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
  const numbers = typeof input === "number" ? " (a number is milliseconds >= 0)" : "";
  return `expected a duration such as ${examples}${numbers}; got ${got}${fix ? `: ${fix}` : ""}`;
}

function refuse(input: unknown, fix?: string): { ok: false; message: string } {
  return { ok: false, message: refusalMessage(input, fix) };
}
