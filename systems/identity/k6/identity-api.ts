/**
 * The identity API as its clients use it (systems/identity/server/app/identity.ts), over a server list. Every
 * write carries an id the client made up (account, session, password change), so a write sent again to the next
 * server is the same write; the op line's id is the Redis key the write creates (`account:<id>`, `session:<id>`,
 * `pwchange:<id>`), which is what the readback scans for.
 */
import { hmac } from "k6/crypto";
import type { OpLine } from "havoc/k6";
import type { ServerListClient } from "./server-list.ts";
import { tokenActiveStale } from "./token-check.ts";

export interface Account {
  id: string;
  password: string;
  /** Password changes made so far (the next change's number). */
  changes: number;
  /** The new password of a change whose outcome is not known (timeout): it may be the password now. */
  pending?: string;
}

/** A password derived from the class's secret, so none is printed and a run can be replayed with the same ones. */
export function passwordFor(secret: string, accountId: string, version: number): string {
  return hmac("sha256", secret, `${accountId}:${version}`, "hex").slice(0, 24);
}

/** POST /accounts. Returns the account when the registration was acknowledged (201). */
export function register(client: ServerListClient, secret: string, accountId: string): Account | undefined {
  const password = passwordFor(secret, accountId, 0);
  const result = client.post("write", 201, "/accounts", { account_id: accountId, password }, `account:${accountId}`, "POST /accounts");
  return result.status === 201 ? { id: accountId, password, changes: 0 } : undefined;
}

/**
 * POST /sessions. Returns the token when the login was acknowledged (201), or "refused" when the service said the
 * password or the account is wrong (401; after a change of unknown outcome, the other password is tried first).
 */
export function login(client: ServerListClient, account: Account, sessionId: string): string | "refused" | undefined {
  const attempt = () =>
    client.post("write", 201, "/sessions", { account_id: account.id, password: account.password, session_id: sessionId }, `session:${sessionId}`, "POST /sessions");
  let result = attempt();
  if (result.status === 401 && account.pending !== undefined) {
    account.password = account.pending;
    account.changes++;
    account.pending = undefined;
    result = attempt();
  }
  if (result.status === 401) return "refused";
  if (result.status !== 201 || result.body === null) return undefined;
  try {
    const token: unknown = (JSON.parse(result.body) as { token?: unknown }).token;
    return typeof token === "string" ? token : undefined;
  } catch {
    return undefined;
  }
}

/**
 * POST /sessions/introspect of a token this client was given: a read whose op line says whether the token was still
 * known (`stale: true` when the service answered that it is not: an acknowledged login was lost or is not visible).
 */
export function introspect(client: ServerListClient, token: string): OpLine {
  return client.post("read", 200, "/sessions/introspect", { token }, undefined, "POST /sessions/introspect", (line, status, body) => {
    const stale = tokenActiveStale(status, body);
    if (stale !== undefined) line.stale = stale;
  }).line;
}

/** POST /accounts/<id>/password. On 200 the account's password is the new one. */
export function changePassword(client: ServerListClient, secret: string, account: Account, changeId: string): boolean {
  const next = passwordFor(secret, account.id, account.changes + 1);
  const result = client.post(
    "write",
    200,
    `/accounts/${account.id}/password`,
    { old_password: account.password, new_password: next, change_id: changeId },
    `pwchange:${changeId}`,
    "POST /accounts/:id/password",
  );
  if (result.status === 200) {
    account.password = next;
    account.changes++;
    account.pending = undefined;
    return true;
  }
  // A change that may have happened: the next login learns which password holds.
  if (result.line.outcome === "unknown" || result.status >= 500) account.pending = next;
  return false;
}
