import type { LinkInput, NodeSpecInput, PostgresReadbackInput, ProbeSpecInput, TopologyInput } from "../../api/index.ts";
import { trackrAppNode, trackrBalancerNode, trackrDatabaseName, trackrSecrets } from "../trackr/topology.ts";
import { pghaImages } from "./images.ts";
import { primaryLagBytesProbe, standbyLagSecondsProbe } from "../shared/postgres-probes.ts";

/**
 * Per-run secrets the pgha topology refers to as `${secret:NAME}`: trackr's (the superuser password the apps and the
 * readback log in with, the device key) plus the replicator's and rewinder's password.
 */
export const pghaSecrets = [...trackrSecrets, "replication-password"];

/** The PostgreSQL nodes, each run by Patroni. pg-1 starts first, so it initialises the cluster and leads first. */
export const pghaDbNodes = ["pg-1", "pg-2", "pg-3"] as const;
/** The etcd members (Patroni's distributed configuration store). */
export const pghaEtcdNodes = ["etcd-1", "etcd-2", "etcd-3"] as const;
/** The trackr app servers (behind the `lb` balancer), writing through `pgproxy:5000`. */
export const pghaAppNodes = ["app-1", "app-2", "app-3"] as const;

/** Node of the PostgreSQL router (haproxy): 5000 leads to the primary, 5001 to the replicas, 8404 has stats. */
export const pghaProxy = "pgproxy";
const pgPort = 5432;
const patroniPort = 8008;
const appPort = 8080;

/** The toxiproxy link in front of a PostgreSQL node's port (topologies made with `replicationLinks`). */
export function replicationLinkOf(node: (typeof pghaDbNodes)[number]): string {
  return `${node}-repl`;
}

export interface PghaOptions {
  /** Patroni `synchronous_mode`: a commit returns only once a synchronous standby has flushed it. Default false. */
  synchronous?: boolean;
  /** Patroni `synchronous_mode_strict`: never fall back to asynchronous commits when no standby is there. Default false. */
  synchronousStrict?: boolean;
  /** Patroni `ttl`, s: the leader key's lifetime, the time after which a silent leader is replaced. Default 10. */
  ttl?: number;
  /** Patroni `loop_wait`, s: the pause between two runs of each node's HA loop. Default 2. */
  loopWait?: number;
  /** Patroni `retry_timeout`, s: how long etcd and PostgreSQL calls are retried before a leader demotes itself. Default 3. */
  retryTimeout?: number;
  /** Patroni `maximum_lag_on_failover`, bytes: a replica further behind never runs for leader. Default 1 MiB (Patroni's). */
  maximumLagOnFailover?: number;
  /**
   * Every PostgreSQL node is reached by the others through its own toxiproxy link `<node>-repl` (its Patroni
   * `connect_address`): replicas stream from the leader, clone and pg_rewind from it through the leader's link, so a
   * link fault on the leader's link delays (or cuts) the replication of every replica. Default false.
   */
  replicationLinks?: boolean;
  /**
   * trackr's app servers and balancer in front of pgproxy. Default true; false leaves the database alone (PostgreSQL,
   * etcd, pgproxy), for workloads whose clients talk to PostgreSQL directly (clients/list-append.ts).
   */
  apps?: boolean;
}

/** Port of pg-<i+1>'s replication link on the toxiproxy node (every link listens there, so each needs its own). */
function linkPort(i: number): number {
  return 5441 + i;
}

/** Defaults of PghaOptions, so a scenario, its test and the README name the same values. */
export const pghaDefaults = { ttl: 10, loopWait: 2, retryTimeout: 3, maximumLagOnFailover: 1_048_576 } as const;

/**
 * The role probe of "db": Patroni's REST `GET /primary`, asked inside the node, is 200 only on the node that runs
 * PostgreSQL as primary and holds the leader key in etcd (a demoted or cut-off former primary answers 503).
 */
const primaryProbe = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "1", `http://127.0.0.1:${patroniPort}/primary`];


/** Which node leads, and how far each standby is behind (bytes and seconds), sampled every second. */
export const pghaProbes: ProbeSpecInput[] = [
  { kind: "leader", name: "leader-db", role: "db", check: { kind: "http", port: patroniPort, path: "/primary", status: 200 } },
  primaryLagBytesProbe("db"),
  // Asked of each standby itself: one cut off from the primary keeps reporting, marked disconnected, while it falls behind.
  standbyLagSecondsProbe("db"),
];

/**
 * pgha (README.md): three PostgreSQL 15 nodes `pg-1..3` each run by Patroni, a three-member etcd `etcd-1..3`, haproxy
 * `pgproxy` sending :5000 to the node whose Patroni answers `GET /primary` 200 and :5001 to the replicas, and trackr's
 * three app servers (DATABASE_URL through pgproxy:5000) behind trackr's balancer `lb` (devices and people post to
 * lb:80). Patroni fails the primary over by itself; `synchronous` decides whether that can lose acknowledged writes.
 */
export function pghaTopology(options: PghaOptions = {}): TopologyInput {
  const ttl = options.ttl ?? pghaDefaults.ttl;
  const loopWait = options.loopWait ?? pghaDefaults.loopWait;
  const retryTimeout = options.retryTimeout ?? pghaDefaults.retryTimeout;
  // Patroni refuses a configuration where a leader could not demote itself before its key expires.
  if (loopWait + 2 * retryTimeout > ttl) throw new RangeError(`pgha: Patroni needs loop_wait + 2 * retry_timeout <= ttl, got ${loopWait} + 2 * ${retryTimeout} > ${ttl}`);
  if (options.synchronousStrict && !options.synchronous) throw new RangeError("pgha: synchronousStrict needs synchronous");
  const etcd: NodeSpecInput[] = pghaEtcdNodes.map((name) => ({
    name,
    ...pghaImages.etcd,
    role: "etcd",
    env: { NODE_NAME: name, ETCD_MEMBERS: pghaEtcdNodes.join(",") },
    ports: [2379],
    // Healthy once the member serves a quorum read: all three start together, so none waits for the others' start.
    ready: { kind: "exec", command: ["etcdctl", "--endpoints=http://127.0.0.1:2379", "--command-timeout=1s", "endpoint", "health"] },
  }));
  const db: NodeSpecInput[] = pghaDbNodes.map((name, i) => ({
    name,
    ...pghaImages.node,
    role: "db",
    env: {
      NODE_NAME: name,
      CONNECT_ADDRESS: options.replicationLinks ? `${replicationLinkOf(name)}:${linkPort(i)}` : `${name}:${pgPort}`,
      ETCD_HOSTS: pghaEtcdNodes.map((e) => `${e}:2379`).join(","),
      POSTGRES_PASSWORD: "${secret:db-password}",
      REPLICATION_PASSWORD: "${secret:replication-password}",
      PGHA_DATABASE: trackrDatabaseName,
      PATRONI_TTL: String(ttl),
      PATRONI_LOOP_WAIT: String(loopWait),
      PATRONI_RETRY_TIMEOUT: String(retryTimeout),
      MAXIMUM_LAG_ON_FAILOVER: String(options.maximumLagOnFailover ?? pghaDefaults.maximumLagOnFailover),
      SYNCHRONOUS_MODE: String(options.synchronous ?? false),
      SYNCHRONOUS_MODE_STRICT: String(options.synchronousStrict ?? false),
    },
    ports: [pgPort, patroniPort],
    // 200 while PostgreSQL runs, as primary or replica: a killed former primary is ready again once it has rejoined
    // (crash recovery, pg_rewind, streaming). A fresh replica is ready once pg_basebackup is done.
    ready: { kind: "http", port: patroniPort, path: "/health" },
    readyTimeoutMs: 90_000,
    // pg-1 alone first: it takes etcd's initialize key and is the first leader; the others are cloned from it.
    dependsOn: i === 0 ? [...pghaEtcdNodes] : [...pghaEtcdNodes, pghaDbNodes[0]],
  }));
  const proxy: NodeSpecInput = {
    name: pghaProxy,
    ...pghaImages.proxy,
    role: "proxy",
    ports: [5000, 5001, 8404],
    ready: { kind: "http", port: 8404, path: "/stats" },
    dependsOn: [...pghaDbNodes],
  };
  const apps: NodeSpecInput[] = pghaAppNodes.map((name) =>
    trackrAppNode(name, { databaseUrl: `postgres://postgres:\${secret:db-password}@${pghaProxy}:5000/${trackrDatabaseName}`, dependsOn: [pghaProxy], readyTimeoutMs: 60_000 }),
  );
  const lb = trackrBalancerNode([...pghaAppNodes]);
  const links: LinkInput[] = options.replicationLinks
    ? pghaDbNodes.map((node, i) => ({ name: replicationLinkOf(node), to: { node, port: pgPort }, listenPort: linkPort(i) }))
    : [];
  return {
    networks: ["main"],
    nodes: options.apps === false ? [...etcd, ...db, proxy] : [...etcd, ...db, proxy, ...apps, lb],
    links,
    roles: { db: { primaryProbe, expect: "200" } },
    probes: pghaProbes,
  };
}

/**
 * After the tail, every reading id of one traffic class, read from whichever node Patroni says is primary then, and
 * from every PostgreSQL node for the convergence check (a node that lacks or holds extra ids is named).
 */
export function pghaReadback(traffic: string): PostgresReadbackInput {
  if (!/^[a-z0-9-]+$/.test(traffic)) throw new RangeError(`traffic class name "${traffic}" must be lower-case letters, digits and '-'`);
  return {
    kind: "postgres",
    traffic,
    from: { primaryOf: "db" },
    convergence: { role: "db" },
    port: pgPort,
    database: trackrDatabaseName,
    user: "postgres",
    password: "${secret:db-password}",
    idsQuery: `SELECT reading_id FROM readings WHERE reading_id LIKE '%-${traffic}-%'`,
  };
}
