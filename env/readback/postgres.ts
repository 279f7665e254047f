import pg from "pg";
import { errorMessage } from "../../core/errors.ts";
import { READ_ATTEMPT_TIMEOUT_MS, type ReadbackKind, type ReadOutcome } from "./readback-kind.ts";
import { z } from "zod";
import { readbackCommon, sqlFields } from "./readback-fields.ts";

/** PostgreSQL (port 5432 by default). */
export const PostgresReadback = z.object({ kind: z.literal("postgres"), ...readbackCommon, port: z.number().int().default(5432), ...sqlFields }).strict();
export type PostgresReadback = z.infer<typeof PostgresReadback>;

/**
 * SQLSTATEs of a store that answers but no longer holds what it did: undefined table, column or schema, and a
 * database that does not exist. Anything else (refused, starting up, auth, timeout) is "unreachable".
 */
const STORE_LOST_CODES: Record<string, string> = {
  "42P01": "undefined table",
  "42703": "undefined column",
  "3F000": "undefined schema",
  "3D000": "database does not exist",
};

export const postgresReadback: ReadbackKind<PostgresReadback> = {
  schema: PostgresReadback,
  describe: (spec) => `postgres ${spec.database}: ${spec.idsQuery}`,
  async readOnce(spec, target, secrets): Promise<ReadOutcome> {
    const client = new pg.Client({
      host: target.address,
      port: target.hostPort,
      user: spec.user,
      password: secrets.resolve(spec.password),
      database: spec.database,
      connectionTimeoutMillis: READ_ATTEMPT_TIMEOUT_MS,
      query_timeout: READ_ATTEMPT_TIMEOUT_MS,
    });
    // A server that dies mid-read emits 'error' on the client; without a listener that would crash the harness.
    client.on("error", () => undefined);
    try {
      await client.connect();
      const result = await client.query({ text: spec.idsQuery, rowMode: "array" });
      return { kind: "ok", ids: (result.rows as unknown[][]).map((row) => String(row[0])) };
    } catch (error) {
      const code = (error as { code?: string }).code ?? "";
      const lost = STORE_LOST_CODES[code];
      if (lost) return { kind: "store-lost", why: `${errorMessage(error)} (SQLSTATE ${code}, ${lost})` };
      return { kind: "unreachable", why: code ? `${errorMessage(error)} (${code})` : errorMessage(error) };
    } finally {
      await client.end().catch(() => undefined);
    }
  },
};
