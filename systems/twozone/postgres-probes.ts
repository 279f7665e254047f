import type { ProbeSpecInput } from "../../api/index.ts";

/**
 * Replication lag per standby, asked of every PostgreSQL node of `role` (only a primary has rows in
 * pg_stat_replication): `lag_bytes:<standby>` (WAL not yet replayed there) and `lag_s:<standby>` (replay_lag).
 * Printed as `<series> <number>` lines for a series probe (core/probe-spec.ts).
 */
export function postgresLagProbe(role: string, user = "postgres"): ProbeSpecInput {
  const query =
    "select 'lag_bytes:' || application_name || ' ' || coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), 0) from pg_stat_replication " +
    "union all select 'lag_s:' || application_name || ' ' || coalesce(extract(epoch from replay_lag), 0) from pg_stat_replication";
  return { kind: "series", name: "replication-lag", role, unit: "bytes / s", check: { kind: "exec", command: ["psql", "-U", user, "-tAc", query] } };
}
