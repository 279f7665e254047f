/**
 * The read-your-writes decision of a person's session (user-sessions.ts). Kept free of k6 imports so that vitest can
 * test it in Node; esbuild bundles it with the script.
 */

/**
 * The `stale` flag of the op line of a read of `GET /api/devices/<own device>/readings` that checks `readingId`,
 * the client's last acknowledged write: false when the answer lists it, true when it does not, and undefined when
 * the read itself failed (not `okStatus`, or not the expected JSON): a failed read proves nothing either way, so it
 * must not count as a freshness check.
 */
export function readYourWritesStale(okStatus: number, status: number, body: unknown, readingId: string): boolean | undefined {
  if (status !== okStatus || typeof body !== "string") return undefined;
  let readings: unknown;
  try {
    readings = (JSON.parse(body) as { readings?: unknown } | null)?.readings;
  } catch {
    return undefined;
  }
  if (!Array.isArray(readings)) return undefined;
  const ids: unknown[] = readings.map((r: unknown) => (typeof r === "object" && r !== null ? (r as { reading_id?: unknown }).reading_id : undefined));
  return !ids.includes(readingId);
}
