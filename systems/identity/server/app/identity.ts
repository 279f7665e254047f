/**
 * Identity app of the identity reference system (../README.md): register an account, log in (a session token),
 * introspect a token, change a password. State lives in Redis; ioredis finds the primary through the Sentinels
 * (this server's own first). Every write is one Lua script, idempotent under the id the client sends, so a client
 * that moves to the next server after a timeout and sends the same request again gets the same answer, not a
 * second account or session. Bundled by esbuild (../../images.ts) and run by Debian's Node 18.
 *
 * Answers: 2xx done; 4xx refused for a reason of the request; 503 not done (Redis refused or was not reachable);
 * 504 maybe done (a timeout, a dropped connection, or WAIT short of its replicas: on the primary, perhaps not on
 * the replicas). Every answer carries X-Served-By.
 */
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { IdentityStore, StoreError } from "./store.ts";

const nodeName = process.env.NODE_NAME ?? "identity";
const port = intEnv("PORT", 8080, 1);
const store = new IdentityStore({
  nodeName,
  sentinels: (process.env.SENTINELS ?? "127.0.0.1:26379").split(",").map((hostPort) => {
    const [host, portText] = hostPort.split(":");
    return { host: host!, port: Number(portText ?? 26379) };
  }),
  masterName: process.env.MASTER_NAME ?? "identity",
  commandTimeoutMs: intEnv("REDIS_TIMEOUT_MS", 1_000, 1),
  waitReplicas: intEnv("WAIT_REPLICAS", 0, 0),
  waitTimeoutMs: intEnv("WAIT_TIMEOUT_MS", 500, 0),
  log,
});
/** Sessions expire after a day: far longer than any run, so an expired session is never mistaken for a lost one. */
const sessionTtlMs = 86_400_000;
const maxBodyBytes = 4 * 1024;
/** Ids are the client's: letters, digits, '-', '_' and '.', so they are safe in keys and never need escaping. */
const idPattern = /^[A-Za-z0-9_.-]{1,128}$/;

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`[${nodeName}] fatal: ${name} must be an integer >= ${min}, got "${raw}"`);
    process.exit(1);
  }
  return value;
}

function log(message: string): void {
  console.log(`${new Date().toISOString()} [${nodeName}] app: ${message}`);
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A store failure as an answer: 503 when the write surely did not happen, 504 when it may have. */
function storeFailure(error: StoreError): HttpError {
  return new HttpError(error.applied === false ? 503 : 504, error.code, error.message);
}

/**
 * Password hashes are SHA-256 over the account id and the password: a stand-in for scrypt or argon2, so that the
 * 2-core test machine measures Redis and not key stretching. Never do this with real passwords.
 */
function passwordHash(accountId: string, password: string): string {
  return createHash("sha256").update(`${accountId}\0${password}`).digest("hex");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > maxBodyBytes) throw new HttpError(413, "too-large", `body larger than ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new HttpError(400, "bad-json", "body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "bad-json", "body must be a JSON object");
  return body as Record<string, unknown>;
}

function idField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || !idPattern.test(value)) throw new HttpError(400, "bad-field", `${field}: expected 1-128 characters of [A-Za-z0-9_.-]`);
  return value;
}

function passwordField(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value.length < 8 || value.length > 256) throw new HttpError(400, "bad-field", `${field}: expected 8-256 characters`);
  return value;
}

async function write(...args: Parameters<IdentityStore["write"]>): ReturnType<IdentityStore["write"]> {
  try {
    return await store.write(...args);
  } catch (error) {
    throw error instanceof StoreError ? storeFailure(error) : error;
  }
}

/** POST /accounts {account_id, password} -> 201 {account_id}. The same registration again is 201 too. */
async function register(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const accountId = idField(body, "account_id");
  const password = passwordField(body, "password");
  const result = await write("identityRegister", [`account:${accountId}`], [passwordHash(accountId, password), nodeName, Date.now()]);
  if (result === -1) throw new HttpError(409, "taken", `account ${accountId} exists`);
  sendJson(res, 201, { account_id: accountId, created: result === 1 });
}

/** POST /sessions {account_id, password, session_id} -> 201 {token}; the token is "<session_id>.<secret>". */
async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const accountId = idField(body, "account_id");
  const password = passwordField(body, "password");
  const sessionId = idField(body, "session_id");
  const secret = randomBytes(18).toString("base64url");
  const reply = await write("identityLogin", [`account:${accountId}`, `session:${sessionId}`], [passwordHash(accountId, password), secret, nodeName, Date.now(), sessionTtlMs, accountId]);
  const [code, stored] = reply as [number, string?];
  if (code === -1) throw new HttpError(401, "wrong-password", "wrong password");
  if (code === -2) throw new HttpError(401, "no-account", `no account ${accountId}`);
  if (code === -3) throw new HttpError(409, "taken", `session ${sessionId} belongs to another account`);
  sendJson(res, 201, { token: `${sessionId}.${stored}`, session_id: sessionId, account_id: accountId });
}

/**
 * POST /sessions/introspect {token} -> 200 {active, account_id?} (RFC 7662's shape): an unknown or wrong token is
 * an answer (active: false), not an error, so a client can tell "my session is gone" from "the service failed".
 */
async function introspect(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJson(req);
  const token = body.token;
  const dot = typeof token === "string" ? token.indexOf(".") : -1;
  if (typeof token !== "string" || dot < 1 || !idPattern.test(token.slice(0, dot))) throw new HttpError(400, "bad-field", "token: expected <session_id>.<secret>");
  let session: Record<string, string>;
  try {
    session = await store.read(`session:${token.slice(0, dot)}`);
  } catch (error) {
    throw error instanceof StoreError ? new HttpError(error.applied === false ? 503 : 504, error.code, error.message) : error;
  }
  if (session.secret === undefined || session.secret !== token.slice(dot + 1)) return sendJson(res, 200, { active: false });
  sendJson(res, 200, { active: true, account_id: session.account });
}

/** POST /accounts/<id>/password {old_password, new_password, change_id} -> 200. The same change again is 200 too. */
async function changePassword(accountId: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!idPattern.test(accountId)) throw new HttpError(404, "no-account", "no such account");
  const body = await readJson(req);
  const oldPassword = passwordField(body, "old_password");
  const newPassword = passwordField(body, "new_password");
  const changeId = idField(body, "change_id");
  const result = await write(
    "identityChangePassword",
    [`account:${accountId}`, `pwchange:${changeId}`],
    [passwordHash(accountId, oldPassword), passwordHash(accountId, newPassword), nodeName, Date.now(), accountId],
  );
  if (result === -1) throw new HttpError(401, "wrong-password", "wrong old password");
  if (result === -2) throw new HttpError(404, "no-account", `no account ${accountId}`);
  sendJson(res, 200, { account_id: accountId, change_id: changeId });
}

/** 200 once Redis's primary answers PING through this app's Sentinel discovery. */
async function healthz(res: ServerResponse): Promise<void> {
  try {
    await store.ping();
    sendJson(res, 200, { ok: true, node: nodeName });
  } catch (error) {
    sendJson(res, 503, { ok: false, node: nodeName, error: error instanceof Error ? error.message : String(error) });
  }
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://identity").pathname;
  const method = req.method ?? "GET";
  const post = () => {
    if (method !== "POST") throw new HttpError(405, "method", `use POST on ${path}`);
  };
  if (path === "/accounts") return post(), register(req, res);
  if (path === "/sessions") return post(), login(req, res);
  if (path === "/sessions/introspect") return post(), introspect(req, res);
  const passwordPath = /^\/accounts\/([^/]+)\/password$/.exec(path);
  if (passwordPath) return post(), changePassword(passwordPath[1]!, req, res);
  if (path === "/healthz") return healthz(res);
  throw new HttpError(404, "no-route", `no route ${method} ${path}`);
}

const server = createServer((req, res) => {
  res.setHeader("X-Served-By", nodeName);
  route(req, res).catch((error: unknown) => {
    if (res.headersSent) return void res.destroy();
    if (error instanceof HttpError) return sendJson(res, error.status, { error: error.code, message: error.message });
    log(`bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    sendJson(res, 500, { error: "internal" });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(port, () => log(`listening on ${port}; sentinels ${process.env.SENTINELS}; WAIT ${process.env.WAIT_REPLICAS || 0} replicas`));

function shutdown(signal: string): void {
  log(`${signal}: stopping`);
  server.close();
  server.closeIdleConnections();
  store.redis.disconnect();
  setTimeout(() => process.exit(0), 2_000).unref();
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
