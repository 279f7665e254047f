import type { NodeSpecInput, PostgresReadbackInput, TopologyInput } from "../../api/index.ts";
import { primaryLagBytesProbe, standbyLagSecondsProbe } from "../shared/postgres-probes.ts";
import { trackrDatabaseName, trackrDatabaseUrl as dbUrl, trackrPostgresReady as pgReady, trackrReadback, trackrSecrets } from "../trackr/topology.ts";
import { twozoneProxyImage } from "./images.ts";
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
export function twozoneTopology(): TopologyInput {
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
  return {
    networks: [wan, ...zones],
    nodes,
    roles: { db: { primaryProbe: ["psql", "-U", "postgres", "-tAc", "select not pg_is_in_recovery()"], expect: "t" } },
    // The system's own signals, drawn under the traffic: which database leads, and how far zone B's standby lags.
    probes: [{ kind: "leader", role: "db" }, primaryLagBytesProbe("db"), standbyLagSecondsProbe("db")],
  };
}

/**
 * After traffic, every reading id of one traffic class stored on the primary `db-a` (where every write goes).
 * Filtered by the class's id prefix (`<run>-<class>-<n>`), so each class is checked against its own writes only.
 */
export function twozoneReadback(traffic: string): PostgresReadbackInput {
  if (!/^[a-z0-9-]+$/.test(traffic)) throw new RangeError(`traffic class name "${traffic}" must be lower-case letters, digits and '-'`);
  return { ...trackrReadback(traffic, "db-a"), idsQuery: `SELECT reading_id FROM readings WHERE reading_id LIKE '%-${traffic}-%'` };
}
