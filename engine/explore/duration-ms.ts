import { Milliseconds } from "../../core/duration.ts";

/**
 * The generator's time fields are named for their unit (`staggerMs`, `durationMs`), so a number there is
 * milliseconds; a duration string ("500ms", "20s", "1m30s") is read too, with the scenario's own messages.
 */
export const DurationMs = Milliseconds;

/** "12.5 s", "1 h 02 m" for logs and tables. */
export function formatDurationMs(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  const h = Math.floor(totalS / 3600);
  const m = Math.floor((totalS % 3600) / 60);
  const s = totalS % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, "0")} m` : `${m} m ${String(s).padStart(2, "0")} s`;
}
