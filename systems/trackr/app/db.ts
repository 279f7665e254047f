/**
 * What trackr's app needs of a database other than PostgreSQL. server.ts keeps its PostgreSQL code inline (pg); a
 * DATABASE_URL of another scheme (mysql://, db-mysql.ts) selects an implementation of this interface instead, with
 * the same API, the same idempotent writes and the same readiness.
 */

/** One reading to store. `recorded_at` is epoch ms (the device clock); `inserted_at` is the database's clock. */
export interface NewReading {
  reading_id: string;
  device_id: string;
  project_id: number;
  value: number;
  recorded_at: number;
  served_by: string;
}

/** A stored reading as the readings endpoints answer it; times in epoch ms. */
export interface ReadingRow {
  reading_id: string;
  device_id: string;
  value: number;
  recorded_at: number;
  inserted_at: number;
  served_by: string;
}

/**
 * A failed database call. `stored` says what a failed write did: false if it surely did not commit (no connection,
 * or the server answered that it rolled back), "unknown" if it may have (connection lost or no answer after sending
 * it, or an error the server gives after replicating). Reads carry false.
 */
export class StoreError extends Error {
  constructor(
    message: string,
    readonly stored: false | "unknown",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ReadingStore {
  /** For the startup log line, e.g. "mysql router:3306/trackr". */
  readonly description: string;
  /** Creates the table if missing; several app nodes may call it at once. */
  createSchema(): Promise<void>;
  /** Opens every connection of the request pools, so the first burst of traffic waits for none. */
  warm(): Promise<void>;
  /**
   * Stores a reading; resolves only once it is committed (a 201 is a durable acknowledgement). A reading_id stored
   * before is a success that changes nothing (the first write wins), so retries are safe. Throws StoreError.
   */
  insert(reading: NewReading): Promise<void>;
  /** The latest `limit` readings where `column` = `value`, newest arrival first. Throws StoreError. */
  latest(column: "project_id" | "device_id", value: number | string, limit: number): Promise<ReadingRow[]>;
  /** Resolves when the health database answers a query that needs the readings table within `timeoutMs`. */
  health(timeoutMs: number): Promise<void>;
  /** Closes every pool. */
  end(): Promise<void>;
}
