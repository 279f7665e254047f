import type { NodeSpecInput, PostgresReadbackInput, TopologyInput } from "../../api/index.ts";
import { primaryLagBytesProbe, standbyLagSecondsProbe } from "../shared/postgres-probes.ts";
import { trackrDatabaseName, trackrDatabaseUrl as dbUrl, trackrPostgresReady as pgReady, trackrReadback, trackrSecrets } from "../trackr/topology.ts";
import { twozoneBackupImage, twozoneProxyImage } from "./images.ts";
import { trackrImages } from "../trackr/images.ts";

/** Per-run secrets the twozone topology refers to (trackr's); declare them in the scenario's `secrets`. */
export const twozoneSecrets = trackrSecrets;

/** The two zones (Docker networks) and the network joining them (the inter-zone link a zone-cut cuts). */
export const zones = ["zone-a", "zone-b"] as const;
const wan = "wan";

const appPort = 8080;

/**
 * The two-zone site (README.md): zone A holds the PostgreSQL primary `db-a`, its app `app-a` and proxy `proxy-a`;
 * zone B holds a read-only streaming standby `db-b`, `app-b` (reads `db-b`) and `proxy-b`. Each proxy serves reads
 * from its own zone's app and sends writes to `app-a`, the primary's zone. Nothing promotes the standby: no split
 * brain by construction, which the scenarios check by reading back every acknowledged write from `db-a`.
 * The app is trackr's (devices post readings, people read them); clients reach the proxies on 127.0.0.1.
 */
export function twozoneTopology(opts: { backups?: TwozoneBackupOptions; standbyOnTmpfs?: boolean } = {}): TopologyInput {
  const inZone = (zone: (typeof zones)[number]) => [wan, zone];
  const appEnv = { PORT: String(appPort), DEVICE_KEY_SECRET: "${secret:device-key}" };
  const nodes: NodeSpecInput[] = [
    {
      name: "db-a",
      ...trackrImages.postgres,
      role: "db",
      networks: inZone("zone-a"),
      env: { POSTGRES_PASSWORD: "${secret:db-password}", POSTGRES_DB: trackrDatabaseName },
      ports: [5432],
      ready: pgReady,
    },
    {
      name: "db-b",
      ...trackrImages.postgres,
      role: "db",
      networks: inZone("zone-b"),
      // Asynchronous streaming replication across the zones, straight over the inter-zone network.
      env: { REPLICA_OF: "db-a:5432", POSTGRES_PASSWORD: "${secret:db-password}", NODE_NAME: "db-b" },
      ports: [5432],
      ready: pgReady,
      dependsOn: ["db-a"],
    },
    {
      name: "app-a",
      ...trackrImages.app,
      role: "app",
      networks: inZone("zone-a"),
      env: { ...appEnv, NODE_NAME: "app-a", DATABASE_URL: dbUrl("db-a") },
      ports: [appPort],
      ready: { kind: "http", port: appPort, path: "/healthz" },
      dependsOn: ["db-a"],
    },
    {
      name: "app-b",
      ...trackrImages.app,
      role: "app",
      networks: inZone("zone-b"),
      // It creates the schema on the primary at start (like every trackr app) but serves only reads (the proxies
      // send writes to app-a), from its own zone's standby, and is healthy while that standby answers.
      env: { ...appEnv, NODE_NAME: "app-b", DATABASE_URL: dbUrl("db-a"), READ_DATABASE_URL: dbUrl("db-b"), HEALTH_DATABASE_URL: dbUrl("db-b") },
      ports: [appPort],
      ready: { kind: "http", port: appPort, path: "/healthz" },
      dependsOn: ["db-a", "db-b"],
    },
    ...(["a", "b"] as const).map(
      (zone): NodeSpecInput => ({
        name: `proxy-${zone}`,
        ...twozoneProxyImage,
        role: "proxy",
        networks: inZone(`zone-${zone}`),
        env: { LOCAL_APP: `app-${zone}`, PRIMARY_APP: "app-a" },
        ports: [80],
        ready: { kind: "http", port: 80, path: "/lb-health" },
        dependsOn: zone === "a" ? ["app-a"] : ["app-a", "app-b"],
      }),
    ),
  ];
  if (opts.backups) withBackups(nodes, opts.backups);
  if (opts.standbyOnTmpfs) {
    // The runbook's rebuild of zone B's standby (README.md, "Rebuilding zone B's standby"): a `restart` of db-b on a
    // tmpfs comes back with an empty data directory, so its entrypoint clones the primary afresh (pg_basebackup),
    // as an operator who deletes the standby's data directory and starts it again. The container's own layer would
    // keep the old directory (and its marker) across a restart.
    nodes.find((n) => n.name === "db-b")!.dataVolume = { path: "/var/lib/postgresql/data", sizeMb: 512, kind: "tmpfs" };
  }
  return {
    networks: [wan, ...zones],
    nodes,
    ...(opts.backups ? { backups: [twozoneCopyBackup(opts.backups)] } : {}),
    roles: { db: { primaryProbe: ["psql", "-U", "postgres", "-tAc", "select not pg_is_in_recovery()"], expect: "t" } },
    // The system's own signals, drawn under the traffic: which database leads, and how far zone B's standby lags.
    probes: [{ kind: "leader", role: "db" }, primaryLagBytesProbe("db"), standbyLagSecondsProbe("db")],
  };
}

/**
 * After traffic, every reading id of one traffic class stored on the primary `db-a` (where every write goes).
 * Filtered by the class's id prefix (`<run>-<class>-<n>`), so each class is checked against its own writes only.
 * `standby`: read zone B's standby `db-b` too, for the convergence check.
 */
export function twozoneReadback(traffic: string, opts: { standby?: boolean } = {}): PostgresReadbackInput {
  if (!/^[a-z0-9-]+$/.test(traffic)) throw new RangeError(`traffic class name "${traffic}" must be lower-case letters, digits and '-'`);
  return {
    ...trackrReadback(traffic, "db-a"),
    idsQuery: `SELECT reading_id FROM readings WHERE reading_id LIKE '%-${traffic}-%'`,
    // The same query on zone B's standby, compared with db-a's ids (history.json `writes.<class>.convergence`; the
    // `convergence` SLO judges it): whether zone B serves the primary's history.
    ...(opts.standby ? { convergence: { nodes: ["db-b"] } } : {}),
  };
}

/**
 * The design's backups (README.md, "Backups"): daily base backups of `db-a` kept in zone A by `backup-a`, and a
 * weekly copy of them in zone B on `backup-b`, scaled to a run. Only the zone-B copies are a topology backup (the
 * one restore steps use): the claim is about what zone B keeps when all of zone A's storage is gone. Their export
 * (backup/twozone-backup-export) makes the restored primary end its recovery on a new timeline.
 */
export interface TwozoneBackupOptions {
  /** Interval of the daily base backups in zone A, ms ("daily" scaled). Default 20 000. */
  dailyEvery?: number;
  /** Interval of the copies to zone B, ms ("weekly" scaled): a whole number of daily intervals. Default 60 000. */
  copyEvery?: number;
}

/** Name of the zone-B copies in `topology.backups`, for restore steps. */
export const twozoneCopyName = "zone-b-copies";

function backupIntervals(opts: TwozoneBackupOptions): { daily: number; copy: number; dailiesPerCopy: number } {
  const daily = opts.dailyEvery ?? 20_000;
  const copy = opts.copyEvery ?? 60_000;
  const dailiesPerCopy = copy / daily;
  if (!Number.isInteger(daily) || daily < 1_000) throw new RangeError(`twozone's dailyEvery must be a whole number of ms, at least 1000; got ${daily}`);
  if (!Number.isInteger(dailiesPerCopy) || dailiesPerCopy < 1)
    throw new RangeError(`twozone's copyEvery (${copy} ms) must be a whole multiple of dailyEvery (${daily} ms): the copy takes every n-th daily backup`);
  return { daily, copy, dailiesPerCopy };
}

function twozoneCopyBackup(opts: TwozoneBackupOptions) {
  const { copy } = backupIntervals(opts);
  return { name: twozoneCopyName, node: "backup-b", of: "db-a", every: `${copy}ms` as const, catalog: ["cat", "/backups/catalog.ndjson"], export: ["twozone-backup-export"] };
}

/**
 * Adds the backup nodes and gives `db-a` a disk the harness can destroy (loop-ext4) under the restorable tag of
 * trackr's PostgreSQL image (its entrypoint hands restored files to postgres; a tag of its own so a run elsewhere
 * rebuilding the plain tag does not race this one).
 */
function withBackups(nodes: NodeSpecInput[], opts: TwozoneBackupOptions): void {
  const { daily, dailiesPerCopy } = backupIntervals(opts);
  for (const node of nodes)
    if (node.name === "db-a" || node.name === "db-b") node.image = "havoc/trackr-postgres:restorable";
  const dbA = nodes.find((n) => n.name === "db-a")!;
  dbA.dataVolume = { path: "/var/lib/postgresql/data", sizeMb: 512, kind: "loop-ext4" };
  const apps = nodes.filter((n) => n.role === "app").map((n) => n.name);
  nodes.push(
    {
      name: "backup-a",
      ...twozoneBackupImage,
      role: "backup",
      networks: [wan, "zone-a"],
      env: { ROLE: "daily", PRIMARY: "db-a:5432", POSTGRES_PASSWORD: "${secret:db-password}", BASE_EVERY_MS: String(daily), WAL: "none" },
      // Lost with zone A's storage: a disk the storage-destroy fault can wipe.
      dataVolume: { path: "/backups", sizeMb: 1024, kind: "loop-ext4" },
      // Ready once the first daily backup is catalogued, after the apps (so it holds their table).
      ready: { kind: "exec", command: ["test", "-s", "/backups/catalog.ndjson"] },
      readyTimeoutMs: 90_000,
      dependsOn: ["db-a", ...apps],
    },
    {
      name: "backup-b",
      ...twozoneBackupImage,
      role: "backup",
      networks: [wan, "zone-b"],
      env: { ROLE: "copy", SOURCE: "backup-a", COPY_EVERY_DAILIES: String(dailiesPerCopy) },
      dataVolume: { path: "/backups", sizeMb: 1024, kind: "loop-ext4" },
      // Ready once the first copy is in zone B: a run never starts without one.
      ready: { kind: "exec", command: ["test", "-s", "/backups/catalog.ndjson"] },
      readyTimeoutMs: 90_000,
      dependsOn: ["backup-a"],
    },
  );
}
