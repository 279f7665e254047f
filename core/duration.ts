import { z } from "zod";

/** A duration written in a scenario: milliseconds as a number, or a typed string such as "500ms", "20s", "2m". */
export type DurationInput = number | `${number}${"ms" | "s" | "m" | "h"}`;

const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

/** Parses a duration to whole milliseconds; undefined when the text is not a duration. */
export function parseDurationMs(input: number | string): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) && input >= 0 ? Math.round(input) : undefined;
  const match = durationPattern.exec(input.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * unitMs[match[2] as keyof typeof unitMs]);
}

/** Zod schema: accepts a DurationInput, yields milliseconds (number >= 0). */
export const DurationMs = z
  .union([z.number(), z.string()], { error: (issue) => durationExpected(issue.input) })
  .transform((value, ctx) => {
    const ms = parseDurationMs(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: durationExpected(value) });
      return z.NEVER;
    }
    return ms;
  });

function durationExpected(value: unknown): string {
  const expected = 'a duration: milliseconds >= 0 or a string like "500ms", "20s", "2m"';
  return value === undefined ? `missing (expected ${expected})` : `expected ${expected}; got ${JSON.stringify(value) ?? String(value)}`;
}

/** "20.0 s" for reports. */
export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
