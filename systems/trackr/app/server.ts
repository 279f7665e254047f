/**
 * trackr app node: devices post readings with API keys, people view a dashboard.
 * One of several identical nodes behind haproxy; all state lives in PostgreSQL, so any node can answer any request.
 * Bundled by esbuild into dist/server.mjs and run by Debian's Node 18 in the havoc/trackr-app image.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import pg from "pg";
import { dashboardHtml } from "./dashboard-html.ts";
import { StoreError } from "./db.ts";
import { createMysqlStore, isMysqlUrl } from "./db-mysql.ts";
import { isValidDeviceKey } from "./device-key.ts";

const nodeName = process.env.NODE_NAME ?? "app";
const port = positiveInt("PORT", 8080);
const projects = positiveInt("PROJECTS", 5);
const databaseUrl = required("DATABASE_URL");
/**
 * Optional: where GETs of readings go, e.g. a read-only streaming replica (the two-zone design serves reads locally).
 * Unset, reads go to DATABASE_URL. Writes and the schema always use DATABASE_URL; health checks do unless
 * HEALTH_DATABASE_URL is set.
 */
const readDatabaseUrl = process.env.READ_DATABASE_URL || undefined;
/**
 * Optional: what /healthz probes. Unset, DATABASE_URL. A node that only serves reads from a local replica (the
 * two-zone design's zone B behind a proxy that sends writes elsewhere) points it at that replica, so losing the
 * primary's zone does not take its reads down.
 */
const healthDatabaseUrl = process.env.HEALTH_DATABASE_URL || databaseUrl;
const deviceKeySecret = required("DEVICE_KEY_SECRET");
/** How long startup keeps retrying the schema while the database comes up. */
const schemaDeadlineMs = positiveInt("SCHEMA_DEADLINE_MS", 60_000);
/** Answer 503 before haproxy's 5 s server timeout turns it into an anonymous 504. */
const queryTimeoutMs = 4_000;
const healthTimeoutMs = 1_000;
/** In-flight requests get this long to finish on SIGTERM (Docker kills after 10 s). */
const shutdownGraceMs = 5_000;
const maxBodyBytes = 16 * 1024;
const maxReadingIdChars = 128;
const defaultLimit = 50;
const maxLimit = 500;
/** Arbitrary constant naming the "create schema" advisory lock, so 3 nodes starting together do not race on pg_type. */
const schemaLockKey = 7_310_001;

function required(name: string): string {
  const value = process.env[name];
  if (!value) fail(`${name} is required`);
  return value;
}

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) fail(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function fail(message: string): never {
  console.error(`[${nodeName}] fatal: ${message}`);
  process.exit(1);
}

function log(message: string): void {
  console.log(`${new Date().toISOString()} [${nodeName}] ${message}`);
}

// Writes and reads share one small pool (unless READ_DATABASE_URL gives reads their own); health checks get their own
// so a stuck database cannot starve either side (haproxy probes every 500 ms, each may hold a connection for 1 s).
/** Connections of a request pool: opened before the node reports healthy and kept open while idle (min = max). */
const poolSize = 8;
function requestPool(connectionString: string): pg.Pool {
  return new pg.Pool({
    connectionString,
    max: poolSize,
    // Opening a PostgreSQL connection (fork + SCRAM) under a cold start's CPU contention took over 2 s (measured: a
    // burst of first requests timed out at the client while 24 connections opened at once). Kept warm instead.
    min: poolSize,
    connectionTimeoutMillis: 2_000,
    query_timeout: queryTimeoutMs,
    idleTimeoutMillis: 10_000,
    keepAlive: true,
  });
}
/**
 * A mysql:// DATABASE_URL selects MySQL / MariaDB (db-mysql.ts) for every database call below; the pg pools are
 * then never used (pg opens nothing until asked).
 */
const mysqlStore = isMysqlUrl(databaseUrl)
  ? createMysqlStore({ databaseUrl, readDatabaseUrl, healthDatabaseUrl, poolSize, queryTimeoutMs, connectTimeoutMs: 2_000, onIdleError: (error) => logDbError("idle client", error) })
  : undefined;
const pool = requestPool(databaseUrl);
const readPool = readDatabaseUrl ? requestPool(readDatabaseUrl) : pool;
const healthPool = new pg.Pool({
  connectionString: healthDatabaseUrl,
  max: 2,
  connectionTimeoutMillis: healthTimeoutMs,
  query_timeout: healthTimeoutMs,
  idleTimeoutMillis: 10_000,
  keepAlive: true,
});
// An idle client whose server went away emits 'error' on the pool; unhandled, that would crash the node.
for (const p of new Set([pool, readPool, healthPool])) p.on("error", (error) => logDbError("idle client", error));
// A checked-out client whose connection dies mid-query (its database killed, or a proxy cutting it when the primary
// moves) rejects the query AND emits 'error' on the client itself (pg 8); with no listener that emit crashed the node.
// The rejected query is what the request acts on (the client is released with the error and dropped), so here it is
// only logged.
for (const p of new Set([pool, readPool, healthPool])) p.on("connect", (client) => client.on("error", (error) => logDbError("client", error)));

/** Logs database errors at most once per second: under load during a fault they would otherwise flood stdout. */
let lastDbErrorLogMs = 0;
let suppressedDbErrors = 0;
function logDbError(what: string, error: unknown): void {
  const nowMs = Date.now();
  if (nowMs - lastDbErrorLogMs < 1_000) {
    suppressedDbErrors++;
    return;
  }
  const more = suppressedDbErrors > 0 ? ` (+${suppressedDbErrors} more since last line)` : "";
  lastDbErrorLogMs = nowMs;
  suppressedDbErrors = 0;
  log(`database error in ${what}: ${errorText(error)}${more}`);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let schemaReady = false;

async function createSchema(): Promise<void> {
  if (mysqlStore) return mysqlStore.createSchema();
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [schemaLockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS readings (
      reading_id text PRIMARY KEY,
      device_id text NOT NULL,
      project_id int NOT NULL,
      value double precision NOT NULL,
      recorded_at timestamptz NOT NULL,
      served_by text NOT NULL,
      inserted_at timestamptz NOT NULL DEFAULT now())`);
    await client.query("CREATE INDEX IF NOT EXISTS readings_project_latest ON readings (project_id, inserted_at DESC)");
    await client.query("CREATE INDEX IF NOT EXISTS readings_device_latest ON readings (device_id, inserted_at DESC)");
    await client.query("COMMIT");
    client.release();
  } catch (error) {
    client.release(error instanceof Error ? error : new Error(String(error))); // drop the connection, its transaction is broken
    throw error;
  }
}

/** Opens every connection of the request pools at once, so the first burst of traffic waits for none. */
async function warmPools(): Promise<void> {
  if (mysqlStore) return mysqlStore.warm();
  const pools = [...new Set([pool, readPool])];
  const opened = await Promise.allSettled(pools.flatMap((p) => Array.from({ length: poolSize }, () => p.connect())));
  for (const result of opened) if (result.status === "fulfilled") result.value.release();
  const failed = opened.find((result): result is PromiseRejectedResult => result.status === "rejected");
  if (failed) throw failed.reason;
}

async function createSchemaBeforeDeadline(): Promise<void> {
  const startedMs = Date.now();
  log("creating schema");
  for (let attempt = 1; ; attempt++) {
    try {
      await createSchema();
      await warmPools();
      schemaReady = true;
      log(`created schema and opened ${poolSize} connections${readDatabaseUrl ? ` to each of the primary and the read database` : ""} in ${Date.now() - startedMs} ms (attempt ${attempt})`);
      return;
    } catch (error) {
      if (Date.now() - startedMs > schemaDeadlineMs) fail(`no schema after ${schemaDeadlineMs} ms: ${errorText(error)}`);
      if (attempt === 1 || attempt % 10 === 0) log(`schema attempt ${attempt} failed, retrying: ${errorText(error)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly field?: string,
    /** For a failed write: false if it surely did not commit, "unknown" if it may have. */
    readonly stored?: false | "unknown",
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
  res.end(text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > maxBodyBytes) {
        reject(new HttpError(413, `body larger than ${maxBodyBytes} bytes`));
        req.resume(); // drain and discard the rest so the 413 can still be written
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

interface Reading {
  deviceNumber: number;
  device_id: string;
  reading_id: string;
  value: number;
  recorded_at: number;
}

const deviceIdPattern = /^dev-(\d{1,9})$/;
/** Epoch ms upper bound (year 5138): rejects seconds-vs-ms mix-ups that would land far in the future. */
const maxRecordedAtMs = 1e14;

function badField(field: string, message: string): never {
  throw new HttpError(400, `${field}: ${message}`, field);
}

async function postReading(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const apiKey = req.headers["x-api-key"];
  if (typeof apiKey !== "string" || apiKey === "") throw new HttpError(401, "missing X-API-Key header");
  const text = await readBody(req);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "body must be a JSON object");
  const b = body as Record<string, unknown>;
  const deviceMatch = typeof b.device_id === "string" ? deviceIdPattern.exec(b.device_id) : null;
  if (!deviceMatch) badField("device_id", 'expected a string "dev-<n>"');
  const deviceId = b.device_id as string;
  // The key check needs only device_id, so it comes before the other fields: a caller without a key learns nothing more.
  if (!isValidDeviceKey(deviceKeySecret, deviceId, apiKey)) throw new HttpError(401, "wrong API key for this device");
  if (typeof b.reading_id !== "string" || b.reading_id.length === 0 || b.reading_id.length > maxReadingIdChars)
    badField("reading_id", `expected a non-empty string of at most ${maxReadingIdChars} characters`);
  if (typeof b.value !== "number" || !Number.isFinite(b.value)) badField("value", "expected a finite number");
  if (typeof b.recorded_at !== "number" || !Number.isFinite(b.recorded_at) || b.recorded_at < 0 || b.recorded_at > maxRecordedAtMs)
    badField("recorded_at", "expected epoch milliseconds as a number");
  const reading: Reading = {
    deviceNumber: Number(deviceMatch[1]),
    device_id: deviceId,
    reading_id: b.reading_id,
    value: b.value,
    recorded_at: b.recorded_at,
  };
  if (!schemaReady) throw new HttpError(503, "starting: schema not ready", undefined, false);
  if (mysqlStore) {
    const project_id = (reading.deviceNumber % projects) + 1;
    await mysqlStore.insert({ ...reading, project_id, served_by: nodeName }).catch((error: unknown) => {
      logDbError("insert", error);
      throw new HttpError(503, `database unavailable: ${errorText(error)}`, undefined, error instanceof StoreError ? error.stored : "unknown");
    });
    return sendJson(res, 201, { reading_id: reading.reading_id });
  }
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (error) {
    logDbError("connect", error);
    throw new HttpError(503, `database unavailable: ${errorText(error)}`, undefined, false);
  }
  try {
    // Autocommit: when the promise resolves the row is committed (and fsynced), so the 201 is a durable acknowledgement.
    // ON CONFLICT makes a firmware retry of the same reading_id a harmless success.
    await client.query(
      `INSERT INTO readings (reading_id, device_id, project_id, value, recorded_at, served_by)
       VALUES ($1, $2, $3, $4, to_timestamp($5::double precision / 1000), $6)
       ON CONFLICT (reading_id) DO NOTHING`,
      [reading.reading_id, reading.device_id, (reading.deviceNumber % projects) + 1, reading.value, reading.recorded_at, nodeName],
    );
    client.release();
  } catch (error) {
    client.release(error instanceof Error ? error : true); // a failed connection must not go back to the pool
    logDbError("insert", error);
    // An ERROR answer from the server means the statement rolled back. A FATAL one ends the session and may come
    // after the commit: a primary demoted (Patroni) while a commit waited for its synchronous standby answers 57P01
    // "terminating connection" after "the transaction has already committed locally". That, and anything else
    // (connection lost, read timeout), came after the INSERT was sent: it may have committed.
    throw new HttpError(503, `database unavailable: ${errorText(error)}`, undefined, error instanceof pg.DatabaseError && error.severity === "ERROR" ? false : "unknown");
  }
  sendJson(res, 201, { reading_id: reading.reading_id });
}

/** ?limit=N: a positive integer, capped at maxLimit; default defaultLimit. */
function limitOf(url: URL): number {
  const limitText = url.searchParams.get("limit");
  if (limitText === null) return defaultLimit;
  const limit = Number(limitText);
  if (!Number.isInteger(limit) || limit < 1) badField("limit", "expected a positive integer");
  return Math.min(limit, maxLimit);
}

/**
 * The latest readings where `column` = `value`, newest by arrival (inserted_at), not by the device clock: a dashboard
 * shows what just came in. `column` is one of two fixed names, never input.
 */
async function latestReadings(column: "project_id" | "device_id", value: number | string, limit: number): Promise<unknown[]> {
  if (!schemaReady) throw new HttpError(503, "starting: schema not ready");
  if (mysqlStore)
    return mysqlStore.latest(column, value, limit).catch((error: unknown) => {
      logDbError("select", error);
      throw new HttpError(503, `database unavailable: ${errorText(error)}`);
    });
  try {
    const result = await readPool.query(
      `SELECT reading_id, device_id, value,
              (extract(epoch FROM recorded_at) * 1000)::float8 AS recorded_at,
              (extract(epoch FROM inserted_at) * 1000)::float8 AS inserted_at,
              served_by
         FROM readings WHERE ${column} = $1
        ORDER BY inserted_at DESC, reading_id DESC LIMIT $2`,
      [value, limit],
    );
    return result.rows;
  } catch (error) {
    logDbError("select", error);
    throw new HttpError(503, `database unavailable: ${errorText(error)}`);
  }
}

/** A device's own latest readings: what a person checks after posting from their device. */
async function getDeviceReadings(deviceText: string, url: URL, res: ServerResponse): Promise<void> {
  // Only ids a device can post under (dev-<n>) name a device, like the project id check. They need no decoding,
  // so a malformed %-escape is a 404 here rather than a URIError (500) from decodeURIComponent.
  if (!deviceIdPattern.test(deviceText)) throw new HttpError(404, `no device "${deviceText}"`);
  const limit = limitOf(url);
  sendJson(res, 200, { device_id: deviceText, readings: await latestReadings("device_id", deviceText, limit) });
}

async function getProjectReadings(projectText: string, url: URL, res: ServerResponse): Promise<void> {
  const projectId = Number(projectText);
  if (!Number.isInteger(projectId) || projectId < 1) throw new HttpError(404, `no project "${projectText}"`);
  const limit = limitOf(url);
  sendJson(res, 200, { project_id: projectId, readings: await latestReadings("project_id", projectId, limit) });
}

async function healthz(res: ServerResponse): Promise<void> {
  if (!schemaReady) return sendJson(res, 503, { ok: false, node: nodeName, error: "schema not ready" });
  let timer: NodeJS.Timeout | undefined;
  try {
    // query_timeout bounds the query itself; the race also bounds waiting for a pool slot.
    await Promise.race([
      mysqlStore ? mysqlStore.health(healthTimeoutMs) : healthPool.query("SELECT 1"),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${healthTimeoutMs} ms`)), healthTimeoutMs))),
    ]);
    sendJson(res, 200, { ok: true, node: nodeName });
  } catch (error) {
    sendJson(res, 503, { ok: false, node: nodeName, error: errorText(error) });
  } finally {
    clearTimeout(timer);
  }
}

async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://trackr");
  const method = req.method ?? "GET";
  const allow = (methods: string[]) => {
    if (!methods.includes(method)) throw new HttpError(405, `method ${method} not allowed; use ${methods.join(", ")}`);
  };
  if (url.pathname === "/api/readings") {
    allow(["POST"]);
    return postReading(req, res);
  }
  const projectMatch = /^\/api\/projects\/([^/]+)\/readings$/.exec(url.pathname);
  if (projectMatch) {
    allow(["GET"]);
    return getProjectReadings(projectMatch[1]!, url, res);
  }
  const deviceMatch = /^\/api\/devices\/([^/]+)\/readings$/.exec(url.pathname);
  if (deviceMatch) {
    allow(["GET"]);
    return getDeviceReadings(deviceMatch[1]!, url, res);
  }
  if (url.pathname === "/healthz") {
    allow(["GET"]);
    return healthz(res);
  }
  if (url.pathname === "/") {
    allow(["GET"]);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
    res.end(dashboardHtml);
    return;
  }
  throw new HttpError(404, `no route ${method} ${url.pathname}`);
}

const server = createServer((req, res) => {
  res.setHeader("X-Served-By", nodeName);
  route(req, res).catch((error: unknown) => {
    if (res.headersSent) return res.destroy();
    if (error instanceof HttpError) {
      sendJson(res, error.status, { error: error.message, field: error.field, stored: error.stored });
    } else {
      log(`bug: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      sendJson(res, 500, { error: "internal error" });
    }
  });
});
// Longer than haproxy's idle reuse so the proxy, not the app, closes idle connections (avoids a reset race on reuse).
server.keepAliveTimeout = 65_000;

let shuttingDown = false;
async function shutdown(signal: string): Promise<void> {
  if (shuttingDown) return;
  shuttingDown = true;
  const startedMs = Date.now();
  log(`${signal}: stopping`);
  const hardStop = setTimeout(() => {
    log(`requests still open after ${shutdownGraceMs} ms; closing them`);
    server.closeAllConnections();
  }, shutdownGraceMs);
  hardStop.unref();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections(); // Node 18 keeps idle keep-alive sockets open after close(); without this we wait for them
  await closed;
  await Promise.allSettled([...new Set([pool, readPool, healthPool])].map((p) => p.end()));
  await mysqlStore?.end();
  log(`stopped in ${Date.now() - startedMs} ms`);
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

server.listen(port, () => log(`listening on :${port} (projects ${projects}; reads from ${readDatabaseUrl ? "READ_DATABASE_URL" : "DATABASE_URL"}${mysqlStore ? `; ${mysqlStore.description}` : ""})`));
void createSchemaBeforeDeadline();
