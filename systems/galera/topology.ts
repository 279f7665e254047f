import type { LinkInput, NodeSpecInput, ReadbackInput, TopologyInput } from "../../api/index.ts";
import { trackrAppNode, trackrBalancerNode, trackrSecrets } from "../trackr/topology.ts";
import { galeraImages } from "./images.ts";
import { twozoneProxyImage } from "../twozone/images.ts";

/** Per-run secrets the galera topology refers to (trackr's): the database user's password and the device keys' secret. */
export const galeraSecrets = trackrSecrets;

/** The two hosting providers (Docker networks). Nothing routes between them but the WAN links (toxiproxy). */
export const providers = ["provider-a", "provider-b"] as const;
type Provider = (typeof providers)[number];

/** The application's database, user and port on every MariaDB node. */
export const mysqlDatabase = { name: "trackr", user: "trackr", port: 3306 } as const;
/** Port of each MariaDB node's health check (galera-check.sh behind socat): 200 only while the node serves. */
export const checkPort = 9200;
/** Role of the three Galera nodes (selectors, readback, convergence). */
export const galeraRole = "galera";
/** The router and the app servers live in this provider. */
const routerProvider: Provider = "provider-a";

interface GaleraNode {
  name: string;
  provider: Provider;
  /** gmcast (group communication) port; IST gets the next one. Distinct per node: WAN links listen on them. */
  gcommPort: number;
  /** Port the node's rsync daemon listens on for a full state transfer (SST). */
  sstPort: number;
}

/** galera-1 and galera-2 in provider A, galera-3 alone in provider B. */
export const galeraNodes: readonly GaleraNode[] = [
  { name: "galera-1", provider: "provider-a", gcommPort: 4567, sstPort: 4444 },
  { name: "galera-2", provider: "provider-a", gcommPort: 4577, sstPort: 4454 },
  { name: "galera-3", provider: "provider-b", gcommPort: 4587, sstPort: 4464 },
];

/**
 * WAN link names. Every byte between the providers passes through one of them (the toxiproxy node is the only
 * container on both networks), so link faults on them are faults of the WAN:
 * - `<node>-wan`: a peer in the other provider reaches the node's group communication through it.
 * - `<node>-ist`, `<node>-sst`: donors reach the node's state-transfer listeners through them (a joiner advertises one
 *   address to every donor, and Docker's DNS cannot answer per provider, so donors in the same provider use them too).
 * - `<node>-sql`, `<node>-check`: the router (provider A) reaches a node of provider B's MySQL port and health check.
 */
export const wanLink = (node: string) => `${node}-wan`;
const istLink = (node: string) => `${node}-ist`;
const sstLink = (node: string) => `${node}-sst`;
const sqlLink = (node: string) => `${node}-sql`;
const checkLink = (node: string) => `${node}-check`;
/** The links that carry group communication across the WAN (what a WAN latency or loss fault acts on). */
export const wanLinks: readonly string[] = galeraNodes.map((n) => wanLink(n.name));

function links(): LinkInput[] {
  const perNode = galeraNodes.flatMap((n) => [
    { name: wanLink(n.name), to: { node: n.name, port: n.gcommPort } },
    { name: istLink(n.name), to: { node: n.name, port: n.gcommPort + 1 } },
    { name: sstLink(n.name), to: { node: n.name, port: n.sstPort } },
  ]);
  const remote = galeraNodes.filter((n) => n.provider !== routerProvider);
  if (remote.length > 1) throw new Error("the router's links listen on fixed ports (3306, 9200): one remote node at most");
  const routed = remote.flatMap((n) => [
    { name: sqlLink(n.name), to: { node: n.name, port: mysqlDatabase.port } },
    { name: checkLink(n.name), to: { node: n.name, port: checkPort } },
  ]);
  return [...perNode, ...routed];
}

/** Where `from` reaches `to`'s group communication: directly inside one provider, through `to`'s WAN link across. */
function gcommAddress(from: GaleraNode, to: GaleraNode): string {
  return `${from.provider === to.provider ? to.name : wanLink(to.name)}:${to.gcommPort}`;
}

/** The password stays a secret ref; resolved per run. */
export function mysqlUrl(host: string): string {
  return `mysql://${mysqlDatabase.user}:\${secret:db-password}@${host}:${mysqlDatabase.port}/${mysqlDatabase.name}`;
}

/** Env of a MariaDB node's application database and user (created at its first start, see mariadb/entrypoint.sh). */
export const mysqlUserEnv = { DB_NAME: mysqlDatabase.name, DB_USER: mysqlDatabase.user, DB_PASSWORD: "${secret:db-password}" };
/** Ready: the node serves clients (Synced and wsrep_ready ON; for a single server: it answers). */
export const mariadbReady = { kind: "exec", command: ["galera-check.sh", "--exit"] } as const satisfies NodeSpecInput["ready"];

function galeraNodeSpec(node: GaleraNode, lazyfs?: GaleraTopologyOptions["lazyfs"], backup?: GaleraBackupOptions): NodeSpecInput {
  const peers = galeraNodes.filter((p) => p !== node);
  const backedUp = backup !== undefined && node.name === galeraBackupSource;
  return {
    name: node.name,
    ...galeraImages.mariadb,
    // With backups: the same build under a tag of its own (mariadb-backup and the restore handling are newer than
    // some checkouts' image), on a loop-ext4 disk that storage-destroy can wipe and a restore write a backup onto.
    ...(backup
      ? { image: "havoc/mariadb:backup", dataVolume: { path: "/var/lib/mysql", sizeMb: backup.nodeDiskMb ?? 256, kind: "loop-ext4" as const } }
      : {}),
    // The same build under a tag of its own (INNODB_FLUSH_LOG_AT_TRX_COMMIT is newer than some checkouts' entrypoint):
    // a run elsewhere building the plain tag from an older checkout must not race this one for it.
    ...(lazyfs
      ? {
          image: "havoc/mariadb:flush-setting",
          dataVolume: { path: "/var/lib/mysql", sizeMb: lazyfs.sizeMb ?? 256, kind: "lazyfs" as const, syncAfterStart: true },
        }
      : {}),
    role: galeraRole,
    // The node backed up is the only one the off-site network reaches.
    networks: backedUp ? [node.provider, offsiteNetwork] : [node.provider],
    env: {
      NODE_NAME: node.name,
      ...(backedUp ? { BACKUP_AGENT_PORT: String(backupAgentPort) } : {}),
      ...mysqlUserEnv,
      GCOMM_PORT: String(node.gcommPort),
      CLUSTER_ADDRESS: `gcomm://${peers.map((p) => gcommAddress(node, p)).join(",")}`,
      IST_ADDRESS: `${istLink(node.name)}:${node.gcommPort + 1}`,
      SST_ADDRESS: `${sstLink(node.name)}:${node.sstPort}`,
      // Only at the cluster's very first start (no grastate.dat yet); see mariadb/entrypoint.sh.
      ...(node === galeraNodes[0] ? { BOOTSTRAP: "1" } : {}),
      ...(lazyfs ? { INNODB_FLUSH_LOG_AT_TRX_COMMIT: String(lazyfs.flushLogAtTrxCommit) } : {}),
    },
    ports: [mysqlDatabase.port],
    ready: mariadbReady,
    // A joiner's first start includes a full state transfer (rsync) on a loaded machine. After a power cut of every
    // node on lazyfs the gcache is gone too (never fsynced), so both nodes behind get a full transfer, one after the
    // other from the one donor: measured 138 s to Synced for the second, and its probe later still.
    readyTimeoutMs: lazyfs ? 360_000 : 180_000,
    // Joiners need the bootstrapped node; they may join together (one waits for a free donor).
    dependsOn: node === galeraNodes[0] ? [] : [galeraNodes[0]!.name],
  };
}

const appNames = ["app-1", "app-2", "app-3"];

/** The backup node's network ("off-site"): only the backup node and the node it backs up are on it. */
export const offsiteNetwork = "offsite";
/**
 * The node backups are taken from: galera-2, the router's second choice, so the backup's brief commit block
 * (BACKUP STAGE BLOCK_COMMIT) and its reads are not on the node that takes the writes. Every node holds the same data.
 */
export const galeraBackupSource = "galera-2";
/** Port of the backup agent on galera-2 (mariabackup streamed per connection); not published. */
export const backupAgentPort = 4499;
/** Name of the cluster's backup in `topology.backups`, for restore steps. */
export const galeraBackupName = "mariabackups";

/**
 * Off-site backups with Debian's mariabackup (README.md, "Backups"): a node `backup` on a network of its own
 * ("offsite", shared only with galera-2) pulls a hot backup of galera-2 every `every` ms (galera-2's backup agent
 * streams `mariabackup --backup --galera-info --stream=xbstream`), prepares it and keeps it. Every Galera node gets a
 * loop-ext4 data disk, so storage-destroy can wipe it and a restore write the backup onto it; one backup restores any
 * node, or all three (galera-1, BOOTSTRAP=1, then bootstraps a new cluster from it).
 */
export interface GaleraBackupOptions {
  /** Backup interval, ms: "daily" scaled to a run. Default 20 000. */
  every?: number;
  /** Size of the backup node's disk, MiB. Default 1024 (sparse: costs what is written). */
  diskMb?: number;
  /** Size of each Galera node's data disk, MiB. Default 256 (sparse). */
  nodeDiskMb?: number;
}

export interface GaleraTopologyOptions {
  /**
   * trackr's app servers app-1..3 and `lb` in provider A. Default true; false for workloads that talk to the nodes
   * themselves (list-append), which then cost the machine three Node processes less.
   */
  apps?: boolean;
  /**
   * Provider B's own entry: `app-b` (trackr's app on galera-3, its local node) behind `lb-b` (a proxy answering
   * /lb-health, health-checking app-b). What a client in provider B sees. Default false.
   */
  providerBEntry?: boolean;
  /**
   * Every Galera node's data directory on lazyfs (a filesystem that loses unfsynced writes on a `power-loss`), with
   * `innodb_flush_log_at_trx_commit` as given: 1 (my.cnf's) fsyncs the redo log at every commit, 2 writes it at every
   * commit and fsyncs it once a second. The volumes are flushed once every node has started (`syncAfterStart`).
   */
  lazyfs?: { flushLogAtTrxCommit: 1 | 2; sizeMb?: number };
  /** Off-site backups of the cluster and loop-ext4 data disks on every node (GaleraBackupOptions). Default none. */
  backup?: GaleraBackupOptions;
}

/**
 * MariaDB 10.11 Galera over two providers (README.md): galera-1, galera-2 in provider A, galera-3 in provider B, the
 * providers joined only by WAN links through toxiproxy. In provider A: `router` (haproxy with the Galera health
 * check), trackr's app servers app-1..3 on mysql://...@router:3306, and trackr's `lb` in front of them.
 */
export function galeraTopology(options: GaleraTopologyOptions = {}): TopologyInput {
  const inA = [routerProvider];
  const router: NodeSpecInput = {
    name: "router",
    ...galeraImages.router,
    role: "router",
    networks: inA,
    ports: [mysqlDatabase.port, 8404],
    ready: { kind: "tcp", port: mysqlDatabase.port },
    dependsOn: galeraNodes.map((n) => n.name),
  };
  const withApps = options.apps ?? true;
  const apps: NodeSpecInput[] = withApps ? appNames.map((name) => trackrAppNode(name, { databaseUrl: mysqlUrl("router"), networks: inA, dependsOn: ["router"] })) : [];
  if (options.backup && options.lazyfs) throw new RangeError("galera's backups restore onto loop-ext4 disks; lazyfs and backup are not combined");
  const backupEvery = options.backup ? (options.backup.every ?? 20_000) : undefined;
  if (backupEvery !== undefined && (!Number.isInteger(backupEvery) || backupEvery < 1_000))
    throw new RangeError(`galera's backup.every must be a whole number of ms, at least 1000; got ${backupEvery}`);
  const nodes = [...galeraNodes.map((n) => galeraNodeSpec(n, options.lazyfs, options.backup)), router, ...apps, ...(withApps ? [trackrBalancerNode(appNames, inA)] : [])];
  if (options.providerBEntry) {
    const local = galeraNodes.find((n) => n.provider === "provider-b")!;
    nodes.push(
      trackrAppNode("app-b", { databaseUrl: mysqlUrl(local.name), role: "app-b", networks: ["provider-b"], dependsOn: [local.name] }),
      {
        name: "lb-b",
        // twozone's per-zone proxy: reads and writes both to LOCAL_APP/PRIMARY_APP (app-b), health-checked.
        ...twozoneProxyImage,
        role: "lb-b",
        networks: ["provider-b"],
        env: { LOCAL_APP: "app-b", PRIMARY_APP: "app-b" },
        ports: [80],
        ready: { kind: "http", port: 80, path: "/lb-health" },
        dependsOn: ["app-b"],
      },
    );
  }
  if (options.backup)
    nodes.push({
      name: "backup",
      ...galeraImages.backup,
      role: "backup",
      networks: [offsiteNetwork],
      env: { SOURCE: `${galeraBackupSource}:${backupAgentPort}`, BACKUP_EVERY_MS: String(backupEvery) },
      dataVolume: { path: "/backups", sizeMb: options.backup.diskMb ?? 1024, kind: "loop-ext4" },
      // Ready once the first backup is catalogued: a run never starts without one. After the apps (when there are
      // any), so that backup already holds the table they create at start.
      ready: { kind: "exec", command: ["test", "-s", "/backups/catalog.ndjson"] },
      dependsOn: withApps ? appNames : ["router"],
    });
  return {
    networks: options.backup ? [...providers, offsiteNetwork] : [...providers],
    nodes,
    links: links(),
    ...(backupEvery !== undefined
      ? {
          backups: [
            {
              name: galeraBackupName,
              node: "backup",
              // One backup restores any node, or all three: every node of the cluster holds the same data.
              of: galeraNodes.map((n) => n.name),
              every: `${backupEvery}ms` as const,
              catalog: ["cat", "/backups/catalog.ndjson"],
              export: ["galera-backup-export"],
            },
          ],
        }
      : {}),
    // Galera is multi-primary: every node in the primary component that is Synced takes reads and writes.
    roles: { [galeraRole]: { primaryProbe: ["galera-check.sh", "--exit"] } },
    probes: [
      // Which nodes serve (Synced, in the primary component): a cut or a crash changes the set.
      { kind: "leader", name: "serving-nodes", role: galeraRole },
      { kind: "series", name: "cluster-size", role: galeraRole, check: { kind: "exec", command: ["galera-status.sh", "cluster_size"] }, unit: "members" },
      { kind: "series", name: "local-state", role: galeraRole, check: { kind: "exec", command: ["galera-status.sh", "local_state"] }, unit: "wsrep_local_state (4 synced)" },
      { kind: "series", name: "primary-component", role: galeraRole, check: { kind: "exec", command: ["galera-status.sh", "primary"] }, unit: "1 in primary" },
    ],
  };
}

/**
 * Filter of one traffic class's reading ids (`<run>-<class>-<n>`, or `<run>-<class>-u<user>-<n>` for people), exact
 * on the class name so "devices" does not match "devices-b". Class names are lower-case letters, digits and '-'.
 */
export function readingIdsOf(traffic: string): string {
  if (!/^[a-z0-9-]+$/.test(traffic)) throw new RangeError(`traffic class name "${traffic}" must be lower-case letters, digits and '-'`);
  return `SELECT reading_id FROM readings WHERE reading_id REGEXP '-${traffic}-(u[0-9]+-)?[0-9]+$'`;
}

/** A MySQL readback of one class's reading ids from `from`, as the application's user. */
export function mysqlReadback(traffic: string, from: NonNullable<ReadbackInput["from"]>): ReadbackInput {
  return {
    kind: "mysql",
    traffic,
    from,
    port: mysqlDatabase.port,
    database: mysqlDatabase.name,
    user: mysqlDatabase.user,
    password: "${secret:db-password}",
    idsQuery: readingIdsOf(traffic),
  };
}

/**
 * After traffic, one class's reading ids from a Galera node that serves (Synced, in the primary component), and the
 * same from every node after the tail: a node lacking or holding extra ids diverged (the `convergence` SLO).
 */
export function galeraReadback(traffic: string): ReadbackInput {
  return { ...mysqlReadback(traffic, { primaryOf: galeraRole }), convergence: { role: galeraRole } };
}
