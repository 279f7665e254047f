/**
 * The read-your-writes decision of an identity client introspecting a token it was issued. Free of k6 imports so
 * vitest can test it in Node.
 */
import { answeredObject } from "./read-your-writes.ts";

/**
 * The `stale` flag of an introspection op line: false when the service says the token is active, true when it
 * answers that it is not (the session the client was acknowledged is gone or not visible), undefined when the read
 * itself failed (not 200, or not the expected JSON), which proves nothing either way.
 */
export function tokenActiveStale(status: number, body: unknown): boolean | undefined {
  const parsed = answeredObject(200, status, body);
  if (parsed === undefined) return undefined;
  const active: unknown = (parsed as { active?: unknown }).active;
  return typeof active === "boolean" ? !active : undefined;
}
