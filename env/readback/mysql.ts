import mysql from "mysql2/promise";
import { errorMessage } from "../../core/errors.ts";
import { READ_ATTEMPT_TIMEOUT_MS, type ReadbackKind, type ReadOutcome } from "./readback-kind.ts";
import { z } from "zod";
import { readbackCommon, sqlFields } from "./readback-fields.ts";

/** MySQL / MariaDB (port 3306 by default). */
export const MysqlReadback = z.object({ kind: z.literal("mysql"), ...readbackCommon, port: z.number().int().default(3306), ...sqlFields }).strict();
export type MysqlReadback = z.infer<typeof MysqlReadback>;

/**
 * MySQL error codes of a store that answers but no longer holds what it did. Anything else (refused, access
 * denied, 1047 "WSREP has not yet prepared node for application use" of a Galera node outside the primary
 * component, timeouts) is "unreachable".
 */
const STORE_LOST_CODES: Record<string, string> = {
  ER_NO_SUCH_TABLE: "table does not exist",
  ER_BAD_DB_ERROR: "database does not exist",
  ER_BAD_FIELD_ERROR: "column does not exist",
};

export const mysqlReadback: ReadbackKind<MysqlReadback> = {
  schema: MysqlReadback,
  describe: (spec) => `mysql ${spec.database}: ${spec.idsQuery}`,
  async readOnce(spec, target, secrets): Promise<ReadOutcome> {
    let connection: mysql.Connection | undefined;
    try {
      connection = await mysql.createConnection({
        host: target.address,
        port: target.hostPort,
        user: spec.user,
        password: secrets.resolve(spec.password),
        database: spec.database,
        connectTimeout: READ_ATTEMPT_TIMEOUT_MS,
      });
      // A connection that dies mid-read emits 'error'; the query's own rejection carries it.
      connection.on("error", () => undefined);
      const [rows] = await connection.query({ sql: spec.idsQuery, rowsAsArray: true, timeout: READ_ATTEMPT_TIMEOUT_MS });
      return { kind: "ok", ids: (rows as unknown[][]).map((row) => String(row[0])) };
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      const lost = STORE_LOST_CODES[code];
      if (lost) return { kind: "store-lost", why: `${errorMessage(error)} (${code}, ${lost})` };
      return { kind: "unreachable", why: code ? `${errorMessage(error)} (${code})` : errorMessage(error) };
    } finally {
      await connection?.end().catch(() => undefined);
    }
  },
};
