/**
 * The read-your-writes decision of an identity client introspecting a token it was issued. Free of k6 imports so
 * vitest can test it in Node.
 */

/**
 * The `stale` flag of an introspection op line: false when the service says the token is active, true when it
 * answers that it is not (the session the client was acknowledged is gone or not visible), undefined when the read
 * itself failed (not 200, or not the expected JSON), which proves nothing either way.
 */
export function tokenActiveStale(status: number, body: unknown): boolean | undefined {
  if (status !== 200 || typeof body !== "string") return undefined;
  let active: unknown;
  try {
    active = (JSON.parse(body) as { active?: unknown } | null)?.active;
  } catch {
    return undefined;
  }
  return typeof active === "boolean" ? !active : undefined;
}
