import type { ProbeSpecInput } from "../../api/index.ts";

/**
 * Replication lag of PostgreSQL standbys, measured where it can be seen, for the reference systems that stream WAL
 * (twozone, pgha). Printed as series lines for a series probe (`<series> <number> [state]`).
 */

const psql = (user: string, sql: string) => ["psql", "-U", user, "-d", "postgres", "-tAXq", "-c", sql];

/**
 * How far each standby is behind, asked of the standby itself, so a standby cut off from its primary still reports
 * (and its lag keeps growing) instead of vanishing: `lag_s` is the time since the newest transaction it replayed
 * was committed on the primary (under steady writes, how far behind it is), with the state `disconnected` while its
 * WAL receiver is not streaming. A primary prints nothing (a gap in its series, e.g. after a promotion).
 */
export function standbyLagSecondsProbe(role: string, user = "postgres"): ProbeSpecInput {
  const sql =
    "SELECT 'lag_s ' || coalesce(round(extract(epoch FROM now() - pg_last_xact_replay_timestamp())::numeric, 3)::text, '0')" +
    " || CASE WHEN EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN '' ELSE ' disconnected' END" +
    " WHERE pg_is_in_recovery()";
  return { kind: "series", name: "replication-lag-seconds", role, unit: "s", check: { kind: "exec", command: psql(user, sql) } };
}

/**
 * Bytes of WAL each connected standby has not replayed yet, as the primary sees it (`lag_bytes:<standby>`); a
 * standby that is not connected has no row: a gap in its series, while its seconds series above keeps counting.
 */
export function primaryLagBytesProbe(role: string, user = "postgres"): ProbeSpecInput {
  const sql = "SELECT 'lag_bytes:' || application_name || ' ' || pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::bigint FROM pg_stat_replication WHERE replay_lsn IS NOT NULL";
  return { kind: "series", name: "replication-lag-bytes", role, unit: "bytes", check: { kind: "exec", command: psql(user, sql) } };
}
