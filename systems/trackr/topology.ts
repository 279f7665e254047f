import type { NodeSpecInput, PostgresReadbackInput, TopologyInput } from "../../api/index.ts";
import { trackrImages } from "./images.ts";

/** Per-run secrets the trackr topology refers to as `${secret:NAME}`; declare them in the scenario's `secrets`. */
export const trackrSecrets = ["db-password", "device-key"];

/** Name of the database the apps use on every trackr-postgres node. */
export const trackrDatabaseName = "trackr";
const databaseName = trackrDatabaseName;

/** URL of trackr's database on a PostgreSQL node (primary or replica), for the apps' env; the password stays a secret ref. */
export function trackrDatabaseUrl(node: string): string {
  return `postgres://postgres:\${secret:db-password}@${node}:5432/${databaseName}`;
}

/** Readiness of a trackr-postgres node: no TCP until the database and password exist (or the replica is consistent). */
export const trackrPostgresReady = { kind: "exec", command: ["pg_isready", "-q", "-h", "127.0.0.1", "-U", "postgres", "-t", "1"] } as const satisfies NodeSpecInput["ready"];
const appPort = 8080;
// Starting node 18 and creating the schema takes about 1.5 s; the rest is headroom on a loaded 2-core machine.
const appReadyTimeoutMs = 30_000;

/** Name of the link the replica streams through (toxiproxy), so link faults can delay or cut replication. */
export const replicationLink = "db-repl";

/**
 * trackr: haproxy (`lb`, ports 80 and 8404) in front of `appNodes` app servers (`app-1`..) in front of one
 * PostgreSQL 15 (`db`). Devices post to lb:80; the haproxy stats CSV is at lb:8404/stats;csv. See README.md.
 * With `readReplica`, a hot standby (`replica`) streams from `db` through the link `db-repl` and the apps read from
 * it (writes, health checks and readback stay on `db`): a link fault on `db-repl` makes reads stale.
 */
/**
 * Off-site backups of `db` (README.md, "Backups"): a node `backup` on a network of its own ("offsite", which only
 * `db` shares) takes a pg_basebackup every `every` ms and, with `archiveTimeout`, receives the WAL continuously
 * (pg_receivewal) while `db` switches WAL segments at least every `archiveTimeout` (archive_timeout). `db` then has
 * a loop-ext4 data volume, so `storage-destroy` can wipe it and `restore` write a backup onto it. The backup is named
 * `trackrBackupName` in `topology.backups`.
 */
export interface TrackrBackupOptions {
  /** Base backup interval, ms: "daily" scaled to a run. Default 20 000. */
  every?: number;
  /** WAL archive timeout, ms (whole seconds); omitted: base backups only, no WAL archive. */
  archiveTimeout?: number;
  /** Size of the backup node's disk, MiB. Default 1024 (sparse: costs what is written). */
  diskMb?: number;
}

/** Name of trackr's backup of `db` in `topology.backups`, for restore steps. */
export const trackrBackupName = "db-backups";

/**
 * `db`'s data directory on lazyfs (a filesystem that loses unfsynced writes on a `power-loss`), with PostgreSQL's
 * `fsync` as given: "on" (the image's setting) fsyncs the WAL at every commit; "off" fsyncs nothing, so a power cut
 * keeps only what was on the disk before (the volume is flushed once every node has started: `syncAfterStart`).
 */
export interface TrackrLazyDbOptions {
  fsync: "on" | "off";
  /** Size of the disk under lazyfs, MiB. Default 256 (sparse). */
  sizeMb?: number;
}

export function trackrTopology(opts: { appNodes?: number; readReplica?: boolean; backup?: TrackrBackupOptions; lazyDb?: TrackrLazyDbOptions } = {}): TopologyInput {
  const appNodes = opts.appNodes ?? 3;
  // haproxy.cfg lists exactly app-1..app-3 by name; another count needs another config.
  if (appNodes < 1 || appNodes > 3 || !Number.isInteger(appNodes)) throw new RangeError(`trackr has 1 to 3 app nodes (haproxy.cfg lists app-1..app-3), got ${appNodes}`);
  const appNames = Array.from({ length: appNodes }, (_, i) => `app-${i + 1}`);
  const db: NodeSpecInput = {
    name: "db",
    ...trackrImages.postgres,
    role: "db",
    env: { POSTGRES_PASSWORD: "${secret:db-password}", POSTGRES_DB: databaseName },
    ports: [5432],
    // No TCP until the password and database exist (the entrypoint sets them up in single-user mode first).
    ready: trackrPostgresReady,
    ...(opts.lazyDb
      ? {
          dataVolume: { path: "/var/lib/postgresql/data", sizeMb: opts.lazyDb.sizeMb ?? 256, kind: "lazyfs", syncAfterStart: true },
          // Arguments of the entrypoint go to postgres; a -c setting overrides postgresql.conf.
          command: ["-c", `fsync=${opts.lazyDb.fsync}`],
        }
      : {}),
  };
  if (opts.lazyDb && (opts.backup || opts.readReplica)) throw new RangeError("trackr's lazyfs database is not combined with backups or a read replica (yet)");
  const apps: NodeSpecInput[] = appNames.map((name) =>
    trackrAppNode(name, {
      databaseUrl: trackrDatabaseUrl("db"),
      env: opts.readReplica ? { READ_DATABASE_URL: trackrDatabaseUrl("replica") } : {},
      dependsOn: opts.readReplica ? ["db", "replica"] : ["db"],
    }),
  );
  const replica: NodeSpecInput = {
    name: "replica",
    ...trackrImages.postgres,
    role: "replica",
    // pg_basebackup from db through the link, then streaming replication through it (entrypoint.sh).
    env: { REPLICA_OF: `${replicationLink}:5432`, POSTGRES_PASSWORD: "${secret:db-password}", NODE_NAME: "replica" },
    ports: [5432],
    // Accepts connections once the copy is done and the standby is consistent.
    ready: trackrPostgresReady,
    dependsOn: ["db"],
  };
  const lb = trackrBalancerNode(appNames);
  if (opts.backup) return withBackups(db, [...apps, lb], opts.backup, !!opts.readReplica);
  if (!opts.readReplica) return { networks: ["main"], nodes: [db, ...apps, lb] };
  return { networks: ["main"], nodes: [db, replica, ...apps, lb], links: [{ name: replicationLink, to: { node: "db", port: 5432 } }] };
}

/**
 * One trackr app server (the image every system that puts trackr in front of its database uses): `databaseUrl` is
 * where it writes (postgres:// or mysql://), `env` adds to or overrides its environment. Ready once the schema exists
 * and its database answers (GET /healthz).
 */
export function trackrAppNode(
  name: string,
  opts: { databaseUrl: string; dependsOn: string[]; env?: Record<string, string>; networks?: string[]; readyTimeoutMs?: number; role?: string },
): NodeSpecInput {
  return {
    name,
    ...trackrImages.app,
    role: opts.role ?? "app",
    ...(opts.networks ? { networks: opts.networks } : {}),
    env: { NODE_NAME: name, PORT: String(appPort), DATABASE_URL: opts.databaseUrl, DEVICE_KEY_SECRET: "${secret:device-key}", ...opts.env },
    ports: [appPort],
    ready: { kind: "http", port: appPort, path: "/healthz" },
    readyTimeoutMs: opts.readyTimeoutMs ?? appReadyTimeoutMs,
    dependsOn: opts.dependsOn,
  };
}

/**
 * trackr's balancer `lb` (haproxy.cfg lists app-1..app-3 by name) in front of `appNames`. Ready when haproxy itself
 * answers /lb-health; it presumes servers UP until checks say otherwise, and the apps are ready before it starts.
 */
export function trackrBalancerNode(appNames: string[], networks?: string[]): NodeSpecInput {
  return {
    name: "lb",
    ...trackrImages.haproxy,
    role: "lb",
    ...(networks ? { networks } : {}),
    ports: [80, 8404],
    ready: { kind: "http", port: 80, path: "/lb-health" },
    dependsOn: appNames,
  };
}

/** After traffic, read every stored reading id from `db`, to compare with the readings acknowledged to `traffic`. */
export function trackrReadback(traffic: string, node = "db"): PostgresReadbackInput {
  return {
    kind: "postgres",
    traffic,
    node,
    port: 5432,
    database: databaseName,
    user: "postgres",
    password: "${secret:db-password}",
    idsQuery: "SELECT reading_id FROM readings",
  };
}

/** trackr with its off-site backup node (see TrackrBackupOptions). */
function withBackups(db: NodeSpecInput, others: NodeSpecInput[], opts: TrackrBackupOptions, readReplica: boolean): TopologyInput {
  if (readReplica) throw new RangeError("trackr's backups and its read replica are not combined (yet)");
  const every = opts.every ?? 20_000;
  const archiveTimeoutS = opts.archiveTimeout === undefined ? undefined : opts.archiveTimeout / 1000;
  if (archiveTimeoutS !== undefined && (!Number.isInteger(archiveTimeoutS) || archiveTimeoutS < 1))
    throw new RangeError(`trackr's archiveTimeout is PostgreSQL's archive_timeout, whole seconds; got ${opts.archiveTimeout} ms`);
  const dbWithDisk: NodeSpecInput = {
    ...db,
    // The same build under a tag of its own: the restore needs the entrypoint's chown of restored files, and a run
    // elsewhere building the plain tag from an older checkout must not race this one for it.
    image: "havoc/trackr-postgres:restorable",
    networks: ["main", "offsite"],
    // 16 MiB WAL segments, switched every archiveTimeout, recycled at the base backups' checkpoints: 512 MiB is ample.
    dataVolume: { path: "/var/lib/postgresql/data", sizeMb: 512, kind: "loop-ext4" },
    // archive_command does nothing on db itself: pg_receivewal on the backup node is the archive; archive_mode is on
    // only so archive_timeout forces a segment switch, after which the receiver completes (and fsyncs) the segment.
    ...(archiveTimeoutS !== undefined ? { command: ["-c", "archive_mode=on", "-c", "archive_command=/bin/true", "-c", `archive_timeout=${archiveTimeoutS}s`] } : {}),
  };
  const backup: NodeSpecInput = {
    name: "backup",
    ...trackrImages.backup,
    role: "backup",
    networks: ["offsite"],
    env: { PRIMARY: "db:5432", POSTGRES_PASSWORD: "${secret:db-password}", BASE_EVERY_MS: String(every), WAL: archiveTimeoutS !== undefined ? "stream" : "none" },
    dataVolume: { path: "/backups", sizeMb: opts.diskMb ?? 1024, kind: "loop-ext4" },
    // Ready once the first base backup is catalogued: a run never starts without one. After the apps, so that
    // backup already holds their table (they create it at start).
    ready: { kind: "exec", command: ["test", "-s", "/backups/catalog.ndjson"] },
    dependsOn: ["db", ...others.filter((n) => n.role === "app").map((n) => n.name)],
  };
  return {
    networks: ["main", "offsite"],
    nodes: [dbWithDisk, backup, ...others],
    backups: [
      {
        name: trackrBackupName,
        node: "backup",
        of: "db",
        every: `${every}ms`,
        ...(opts.archiveTimeout !== undefined ? { archiveTimeout: `${opts.archiveTimeout}ms` as const } : {}),
        catalog: ["cat", "/backups/catalog.ndjson"],
        export: ["havoc-backup-export"],
      },
    ],
  };
}
