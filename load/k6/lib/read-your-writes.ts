/**
 * The read-your-writes decision of a person's session (load/k6/user-sessions.ts). Kept free of k6 imports so that
 * vitest can test it in Node; k6 bundles it like any relative import.
 */

/**
 * The `stale` flag of the op line of a read of `GET /api/devices/<own device>/readings` that checks `readingId`,
 * the client's last acknowledged write: false when the answer lists it, true when it does not, and undefined when
 * the read itself failed (not `okStatus`, or not the expected JSON): a failed read proves nothing either way, so it
 * must not count as a freshness check.
 */
export function readYourWritesStale(okStatus: number, status: number, body: unknown, readingId: string): boolean | undefined {
  const parsed = answeredObject(okStatus, status, body);
  if (parsed === undefined) return undefined;
  const readings: unknown = (parsed as { readings?: unknown }).readings;
  if (!Array.isArray(readings)) return undefined;
  const ids: unknown[] = readings.map((r: unknown) => (typeof r === "object" && r !== null ? (r as { reading_id?: unknown }).reading_id : undefined));
  return !ids.includes(readingId);
}

/**
 * The JSON object a read answered with, or undefined when the read failed (not `okStatus`, no text body, not a JSON
 * object): the shared first step of every freshness decision, since a failed read proves nothing either way.
 */
export function answeredObject(okStatus: number, status: number, body: unknown): object | undefined {
  if (status !== okStatus || typeof body !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === "object" && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}
