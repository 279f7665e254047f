/**
 * The decisions of a client that holds a server list (server-list.ts), free of k6 imports so vitest can test them.
 */

/**
 * Whether an attempt's result sends the client to the next server: a request that may not have been handled
 * (unknown: timeout, reset), a refused connection (status 0) or a server error (5xx) moves on; any other answer,
 * a 4xx included, is the service's answer about the request and ends it.
 */
export function shouldMoveOn(outcome: "ok" | "fail" | "unknown", status: number): boolean {
  return outcome === "unknown" || status === 0 || status >= 500;
}

/** The list a client holds: the configured one rotated left by `by` places (client n of a spread class: by n). */
export function rotated<T>(list: readonly T[], by: number): T[] {
  if (list.length === 0) return [];
  const shift = ((by % list.length) + list.length) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}
