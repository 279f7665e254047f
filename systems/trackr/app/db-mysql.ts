/**
 * trackr on MySQL / MariaDB (a single server or a Galera cluster behind a router): selected by a DATABASE_URL of
 * `mysql://user:password@host:port/database`. Same table, API and idempotence as the PostgreSQL code in server.ts.
 */
import mysql from "mysql2/promise";
import { StoreError, type NewReading, type ReadingRow, type ReadingStore } from "./db.ts";

export interface MysqlStoreOptions {
  databaseUrl: string;
  /** Where reads go; default databaseUrl. */
  readDatabaseUrl?: string;
  /** What health checks query; default databaseUrl. */
  healthDatabaseUrl?: string;
  /** Connections of each request pool, opened by warm() and kept open while idle. */
  poolSize: number;
  /** Bound on one request's query, ms (a timeout is an unknown outcome for a write). */
  queryTimeoutMs: number;
  /** Bound on getting a connection (a free one from the pool, or a new one), ms: like pg's connectionTimeoutMillis. */
  connectTimeoutMs: number;
  /** Called with errors of connections that were not running a query (e.g. the server went away while idle). */
  onIdleError: (error: unknown) => void;
}

/** Whether a DATABASE_URL names MySQL / MariaDB. */
export function isMysqlUrl(url: string): boolean {
  return /^mysql:\/\//i.test(url);
}

/**
 * Server errors after which the statement surely did not commit (the server answered and rolled it back).
 * Any other error after the INSERT was sent may have committed: in particular ER_ERROR_DURING_COMMIT (1180), which a
 * Galera node gives when it lost the primary component while replicating the write (other nodes may have it).
 */
const ROLLED_BACK = new Map<number, string>([
  [1213, "ER_LOCK_DEADLOCK"], // InnoDB deadlock, or a Galera certification conflict / brute-force abort: rolled back everywhere
  [1205, "ER_LOCK_WAIT_TIMEOUT"],
  [1047, "ER_UNKNOWN_COM_ERROR"], // Galera node outside the primary component: "WSREP has not yet prepared node for application use"
  [1114, "ER_RECORD_FILE_FULL"], // the table cannot grow: disk full
  [1021, "ER_DISK_FULL"],
  [1040, "ER_CON_COUNT_ERROR"],
  [1290, "ER_OPTION_PREVENTS_STATEMENT"], // read-only
  [1792, "ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION"],
]);
/** How often a write that lost a certification conflict (1213) is tried again before it fails (it is rolled back each time). */
const DEADLOCK_RETRIES = 2;
/** mysql2's error when a pooled connection had already died before the command was sent: nothing reached the server. */
const NOT_SENT = "Can't add new command when connection is in closed state";

interface MysqlError {
  errno?: number;
  code?: string;
  message: string;
}

function describe(error: unknown): string {
  const e = error as MysqlError;
  return e?.code && !String(e.message).includes(e.code) ? `${e.message} (${e.code})` : String(e?.message ?? error);
}

/** What a failed INSERT did: false when the server answered with a rollback, or the command never left. */
export function storedAfter(error: unknown): false | "unknown" {
  const e = error as MysqlError;
  if (typeof e?.errno === "number" && ROLLED_BACK.has(e.errno)) return false;
  if (e?.message === NOT_SENT) return false;
  return "unknown";
}

/**
 * A connection from the pool within `timeoutMs`, else an error. mysql2's pool queues requests for a connection without
 * a bound; after a database stall that backlog outlived every client's timeout (measured: a 7 s Galera stall left the
 * apps 4 to 5 s behind for the rest of the run). pg's pool bounds the same wait with connectionTimeoutMillis.
 */
async function acquire(pool: mysql.Pool, timeoutMs: number): Promise<mysql.PoolConnection> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      reject(new Error(`no database connection free within ${timeoutMs} ms`));
    }, timeoutMs);
    pool.getConnection().then(
      (connection) => {
        if (settled) return connection.release(); // the caller gave up; back to the pool for the next one
        settled = true;
        clearTimeout(timer);
        resolve(connection);
      },
      (error: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function poolFor(url: string, size: number, connectTimeoutMs: number, onIdleError: (error: unknown) => void): mysql.Pool {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!database) throw new Error(`DATABASE_URL ${u.protocol}//${u.host} names no database (expected mysql://user:password@host:port/database)`);
  const pool = mysql.createPool({
    host: u.hostname,
    port: u.port ? Number(u.port) : 3306,
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database,
    connectionLimit: size,
    // Kept open while idle (like the pg pool's min = max): opening connections under a cold start's CPU contention is slow.
    maxIdle: size,
    idleTimeout: 10 * 60_000,
    connectTimeout: connectTimeoutMs,
    enableKeepAlive: true,
    // DECIMAL results (UNIX_TIMESTAMP(...) * 1000) as numbers, as the API answers them.
    decimalNumbers: true,
  });
  // The pool listens for a connection's first 'error' only; a second one without a listener would crash the node.
  pool.pool.on("connection", (connection) => connection.on("error", onIdleError));
  return pool;
}

export function createMysqlStore(options: MysqlStoreOptions): ReadingStore {
  const { poolSize, queryTimeoutMs } = options;
  const open = (url: string, size: number) => poolFor(url, size, options.connectTimeoutMs, options.onIdleError);
  const pool = open(options.databaseUrl, poolSize);
  const readPool = options.readDatabaseUrl ? open(options.readDatabaseUrl, poolSize) : pool;
  const healthPool = open(options.healthDatabaseUrl ?? options.databaseUrl, 2);
  const pools = [...new Set([pool, readPool, healthPool])];
  const target = new URL(options.databaseUrl);

  return {
    description: `mysql ${target.host}${target.pathname}`,

    async createSchema() {
      // One statement (indexes inline), so app nodes starting together need no lock: IF NOT EXISTS settles the race
      // under the server's metadata lock (and under Galera's total-order DDL). Ids are compared byte for byte
      // (utf8mb4_bin) like PostgreSQL's text, so "A" and "a" are two readings.
      await pool.query({
        sql: `CREATE TABLE IF NOT EXISTS readings (
          reading_id VARCHAR(128) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY,
          device_id VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
          project_id INT NOT NULL,
          value DOUBLE NOT NULL,
          recorded_at DATETIME(3) NOT NULL,
          served_by VARCHAR(64) NOT NULL,
          inserted_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
          KEY readings_project_latest (project_id, inserted_at),
          KEY readings_device_latest (device_id, inserted_at)
        ) ENGINE=InnoDB`,
        timeout: queryTimeoutMs,
      });
    },

    async warm() {
      const requestPools = [...new Set([pool, readPool])];
      const opened = await Promise.allSettled(requestPools.flatMap((p) => Array.from({ length: poolSize }, () => p.getConnection())));
      for (const result of opened) if (result.status === "fulfilled") result.value.release();
      const failed = opened.find((result): result is PromiseRejectedResult => result.status === "rejected");
      if (failed) throw failed.reason;
    },

    async insert(reading: NewReading) {
      for (let attempt = 0; ; attempt++) {
        let connection: mysql.PoolConnection;
        try {
          connection = await acquire(pool, options.connectTimeoutMs);
        } catch (error) {
          throw new StoreError(describe(error), false, { cause: error });
        }
        try {
          // Autocommit: the OK packet comes after the commit (fsynced redo log; under Galera, after certification
          // by the whole primary component). ON DUPLICATE KEY with a no-op update is PostgreSQL's ON CONFLICT DO
          // NOTHING: a firmware retry of the same reading_id succeeds and keeps the first row (INSERT IGNORE would
          // also swallow other errors, e.g. a bad value).
          await connection.query({
            sql: `INSERT INTO readings (reading_id, device_id, project_id, value, recorded_at, served_by)
                  VALUES (?, ?, ?, ?, FROM_UNIXTIME(? / 1000), ?)
                  ON DUPLICATE KEY UPDATE reading_id = reading_id`,
            values: [reading.reading_id, reading.device_id, reading.project_id, reading.value, reading.recorded_at, reading.served_by],
            timeout: queryTimeoutMs,
          });
          connection.release();
          return;
        } catch (error) {
          const stored = storedAfter(error);
          // A connection whose outcome is unknown (lost, timed out) must not go back to the pool.
          if (stored === "unknown" || (error as { fatal?: boolean }).fatal) connection.destroy();
          else connection.release();
          // A certification conflict rolled the write back on every node: trying again is a new, independent attempt.
          if ((error as MysqlError).errno === 1213 && attempt < DEADLOCK_RETRIES) continue;
          throw new StoreError(describe(error), stored, { cause: error });
        }
      }
    },

    async latest(column, value, limit): Promise<ReadingRow[]> {
      // `column` is one of two fixed names, never input. Times as epoch ms in the server's time zone both ways.
      let connection: mysql.PoolConnection | undefined;
      try {
        connection = await acquire(readPool, options.connectTimeoutMs);
        const [rows] = await connection.query({
          sql: `SELECT reading_id, device_id, value,
                       UNIX_TIMESTAMP(recorded_at) * 1000 AS recorded_at,
                       UNIX_TIMESTAMP(inserted_at) * 1000 AS inserted_at,
                       served_by
                  FROM readings WHERE ${column} = ?
                 ORDER BY inserted_at DESC, reading_id DESC LIMIT ?`,
          values: [value, limit],
          timeout: queryTimeoutMs,
        });
        connection.release();
        return rows as ReadingRow[];
      } catch (error) {
        // A server error leaves the connection usable; a lost or timed-out one must not go back to the pool.
        if ((error as { fatal?: boolean }).fatal || typeof (error as MysqlError).errno !== "number") connection?.destroy();
        else connection?.release();
        throw new StoreError(describe(error), false, { cause: error });
      }
    },

    async health(timeoutMs: number) {
      // A query on the table, not `SELECT 1`: a Galera node outside the primary component still answers SELECT 1,
      // but refuses anything that reads a table (1047).
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          healthPool.query({ sql: "SELECT 1 FROM readings LIMIT 1", timeout: timeoutMs }),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs))),
        ]);
      } finally {
        clearTimeout(timer);
      }
    },

    async end() {
      await Promise.allSettled(pools.map((p) => p.end()));
    },
  };
}
