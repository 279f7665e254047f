import { z } from "zod";

/**
 * A duration as a scenario writes it: milliseconds, or "500ms", "20s", "2m", "1h". Kept here rather than imported
 * from core/ because core is being reorganised; faultGeneratorSchema takes the project's own schema in its place.
 */
export const DurationMs = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === undefined) {
    ctx.addIssue({ code: "custom", message: `expected a duration: milliseconds >= 0 or a string like "500ms", "20s", "2m"; got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return ms;
});

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

export function parseDurationMs(value: number | string): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value) : undefined;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value.trim());
  if (!match) return undefined;
  return Math.round(Number(match[1]) * unitMs[match[2] as keyof typeof unitMs]);
}

/** "12.5 s", "1 h 02 m" for logs and tables. */
export function formatDurationMs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, "0")} m` : `${m} m ${String(s).padStart(2, "0")} s`;
}
