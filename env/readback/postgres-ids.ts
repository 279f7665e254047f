import pg from "pg";
import type { Readback } from "../../core/scenario.ts";
import type { RunSecrets } from "../secrets.ts";
import { assertOwnTarget } from "../target-guard.ts";
import type { StartedTopology } from "../topology/started-topology.ts";

/** Connection and query deadline, ms: a readback must end even when the database hangs. */
const READBACK_TIMEOUT_MS = 30_000;

/**
 * Reads every stored write id from PostgreSQL through the node's 127.0.0.1 published port, so the
 * data-loss check compares what clients were told with what the database really holds.
 */
export async function readStoredIds(readback: Readback, topology: StartedTopology, secrets: RunSecrets): Promise<string[]> {
  const port = topology.hostPort(readback.node, readback.port);
  assertOwnTarget(`postgres://127.0.0.1:${port}`, topology, `readback of ${readback.traffic}`);
  const client = new pg.Client({
    host: "127.0.0.1",
    port,
    user: readback.user,
    password: secrets.resolve(readback.password),
    database: readback.database,
    connectionTimeoutMillis: READBACK_TIMEOUT_MS,
    query_timeout: READBACK_TIMEOUT_MS,
  });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>({ text: readback.idsQuery, rowMode: "array" } as never);
    return (result.rows as unknown as unknown[][]).map((row) => String(row[0]));
  } finally {
    await client.end().catch(() => {});
  }
}
