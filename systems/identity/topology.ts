import type { NodeSpecInput, ReadbackInput, TopologyInput } from "../../api/index.ts";
import type { TrafficTarget } from "../../api/index.ts";
import { identityBackupImage, identityServerImage } from "./images.ts";

/** The three identity servers, each Redis + Sentinel + app (README.md). Three, so two Sentinels are a majority. */
export const identityServers = ["id-1", "id-2", "id-3"] as const;
export type IdentityServer = (typeof identityServers)[number];
/** The server whose Redis is primary when the run starts (the others replicate from it). */
export const initialPrimary: IdentityServer = "id-1";
/** Role of the servers; its primary is whichever server's Redis says "master" (topology.roles). */
export const identityRole = "redis";
export const appPort = 8080;
export const redisPort = 6379;
/** Secret the clients derive account passwords from (the classes' keySecret); declare it in the scenario. */
export const identitySecrets = ["client-passwords"];

/** The knobs of the design (README.md, "Configurations"). Every default is Redis's or the design's own. */
export interface IdentityOptions {
  /** After every write the app sends WAIT for this many replicas; 0 (default): no WAIT, asynchronous replication. */
  waitReplicas?: number;
  /** WAIT's timeout, ms; a WAIT that times out short of its replicas is answered 504 (maybe stored). Default 500. */
  waitTimeoutMs?: number;
  /** Redis's min-replicas-to-write: the primary refuses writes with fewer good replicas. Default 0 (off). */
  minReplicasToWrite?: number;
  /** Redis's min-replicas-max-lag, s: a replica whose last ack is older is not good. Default 10 (Redis's). */
  minReplicasMaxLagS?: number;
  /** AOF fsync policy. Default "everysec" (Redis's). */
  appendfsync?: "always" | "everysec" | "no";
  /** Sentinel down-after-milliseconds: how long a primary must not answer before it is subjectively down. Default 2000. */
  downAfterMs?: number;
  /** Sentinel failover-timeout, ms. Default 10000. */
  failoverTimeoutMs?: number;
  /** Redis commands' deadline in the app, ms (it answers 504 after it). Default 1000. */
  redisTimeoutMs?: number;
  /** A size-limited disk (MiB) under Redis's data directory, for disk faults. Default none (256 with `dataVolumeKind`). */
  dataVolumeMb?: number;
  /**
   * What that disk is: "loop-ext4" (default) or "lazyfs", a filesystem that keeps writes in memory until fsynced,
   * which the `power-loss` fault needs (it discards the unfsynced ones).
   */
  dataVolumeKind?: "loop-ext4" | "lazyfs";
  /**
   * Off-site copies of the data set (README.md, "Backups"): a node `backup` copies the primary's data every `every`
   * ms (default 20 000, "daily" scaled), and every server gets a loop-ext4 disk at /data (`dataVolumeMb`, default
   * 256) that storage-destroy can wipe and a restore write the copy onto. The backup is named `identityBackupName`.
   */
  backup?: { every?: number };
}

/** Name of identity's backup in `topology.backups`, for restore steps. */
export const identityBackupName = "aof-copies";

/** Sentinels an app asks, its own server's first: ioredis uses the first that answers. */
function sentinelsFor(server: IdentityServer): string {
  return [server, ...identityServers.filter((s) => s !== server)].map((s) => `${s}:26379`).join(",");
}

function nonNegativeInt(name: string, value: number): string {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`identity option ${name} must be a non-negative integer, got ${value}`);
  return String(value);
}

/**
 * The identity service (README.md): three servers `id-1`..`id-3`, each running Redis 7, a Sentinel (quorum 2) and
 * the identity app; `id-1` starts as primary. Each server publishes the app (8080) and Redis (6379, for readback).
 */
export function identityTopology(opts: IdentityOptions = {}): TopologyInput {
  const env = (server: IdentityServer): Record<string, string> => ({
    NODE_NAME: server,
    INITIAL_PRIMARY: initialPrimary,
    SENTINELS: sentinelsFor(server),
    QUORUM: "2",
    WAIT_REPLICAS: nonNegativeInt("waitReplicas", opts.waitReplicas ?? 0),
    WAIT_TIMEOUT_MS: nonNegativeInt("waitTimeoutMs", opts.waitTimeoutMs ?? 500),
    MIN_REPLICAS_TO_WRITE: nonNegativeInt("minReplicasToWrite", opts.minReplicasToWrite ?? 0),
    MIN_REPLICAS_MAX_LAG_S: nonNegativeInt("minReplicasMaxLagS", opts.minReplicasMaxLagS ?? 10),
    APPENDFSYNC: opts.appendfsync ?? "everysec",
    DOWN_AFTER_MS: nonNegativeInt("downAfterMs", opts.downAfterMs ?? 2_000),
    FAILOVER_TIMEOUT_MS: nonNegativeInt("failoverTimeoutMs", opts.failoverTimeoutMs ?? 10_000),
    REDIS_TIMEOUT_MS: nonNegativeInt("redisTimeoutMs", opts.redisTimeoutMs ?? 1_000),
    PORT: String(appPort),
  });
  const backupEvery = opts.backup ? (opts.backup.every ?? 20_000) : undefined;
  if (backupEvery !== undefined && (!Number.isInteger(backupEvery) || backupEvery < 1_000))
    throw new RangeError(`identity's backup.every must be a whole number of ms, at least 1000; got ${backupEvery}`);
  if (opts.backup && opts.dataVolumeKind === "lazyfs") throw new RangeError("identity's backups restore onto loop-ext4 disks; leave dataVolumeKind unset");
  const nodes: NodeSpecInput[] = identityServers.map((server) => ({
    name: server,
    ...identityServerImage,
    // The same build under a tag of its own (its entrypoint hands restored files to redis), so a run elsewhere
    // rebuilding the plain tag from an older checkout does not race this one.
    ...(opts.backup ? { image: "havoc/identity-server:restorable" } : {}),
    role: identityRole,
    env: env(server),
    ports: [appPort, redisPort],
    // Redis up (a replica linked to its primary), the Sentinel sees a quorum, the app reaches the primary.
    ready: { kind: "exec", command: ["identity-ready"] },
    readyTimeoutMs: 60_000,
    ...(opts.dataVolumeMb !== undefined || opts.dataVolumeKind !== undefined || opts.backup
      ? { dataVolume: { path: "/data", sizeMb: opts.dataVolumeMb ?? 256, ...(opts.dataVolumeKind ? { kind: opts.dataVolumeKind } : {}) } }
      : {}),
  }));
  if (backupEvery !== undefined)
    nodes.push({
      name: "backup",
      ...identityBackupImage,
      role: "backup",
      env: { SERVERS: identityServers.join(" "), BACKUP_EVERY_MS: String(backupEvery) },
      dataVolume: { path: "/backups", sizeMb: 256, kind: "loop-ext4" },
      // Ready once the first copy is catalogued: a run never starts without one.
      ready: { kind: "exec", command: ["test", "-s", "/backups/catalog.ndjson"] },
      dependsOn: [...identityServers],
    });
  return {
    networks: ["main"],
    nodes,
    ...(backupEvery !== undefined
      ? {
          backups: [
            {
              name: identityBackupName,
              node: "backup",
              // One copy of the data set restores any server, or all of them.
              of: [...identityServers],
              every: `${backupEvery}ms` as const,
              catalog: ["cat", "/backups/catalog.ndjson"],
              export: ["identity-backup-export"],
            },
          ],
        }
      : {}),
    roles: { [identityRole]: { primaryProbe: ["sh", "-c", "redis-cli role | head -n1"], expect: "master" } },
    probes: [
      { kind: "leader", role: identityRole },
      // The primary prints one line per replica: its replication offset minus the replica's last acknowledged one.
      { kind: "series", name: "replication-lag", role: identityRole, check: { kind: "exec", command: ["identity-lag"] }, unit: "bytes" },
    ],
  };
}

/** The clients' list of servers (each app's port), in the order given: by default id-1, id-2, id-3. */
export function identityServerList(order: readonly IdentityServer[] = identityServers): TrafficTarget[] {
  return order.map((node) => ({ node, port: appPort }));
}

/**
 * After traffic, the keys one class's writes created (`account:`, `session:`, `pwchange:` keys whose id contains
 * `-<traffic>-`), read from whichever server is primary then, and from every server for the convergence check.
 * The ledger ids are those keys. A server whose Redis does not answer is retried for `retryFor` (default 30 s).
 */
export function identityReadback(traffic: string, retryFor: ReadbackInput["retryFor"] = "30s"): ReadbackInput {
  if (!/^[a-z0-9-]+$/.test(traffic)) throw new RangeError(`traffic class name "${traffic}" must be lower-case letters, digits and '-'`);
  return {
    kind: "redis",
    traffic,
    from: { primaryOf: identityRole },
    port: redisPort,
    scan: `*-${traffic}-*`,
    convergence: { role: identityRole },
    // How long a server whose Redis does not answer is retried before it counts as unreachable.
    retryFor,
  };
}
