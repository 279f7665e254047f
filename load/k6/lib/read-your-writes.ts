/** The first step of a read-your-writes decision in a k6 script (`havoc/k6`); free of k6 imports. */

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
