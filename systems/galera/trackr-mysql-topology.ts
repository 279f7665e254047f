import type { NodeSpecInput, TopologyInput } from "../../api/index.ts";
import { trackrAppNode, trackrBalancerNode, trackrSecrets } from "../trackr/topology.ts";
import { mariadbReady, mysqlDatabase, mysqlReadback, mysqlUrl, mysqlUserEnv } from "./topology.ts";
import { galeraImages } from "./images.ts";

/** Per-run secrets of trackr on MySQL (trackr's). */
export const trackrMysqlSecrets = trackrSecrets;

/**
 * trackr on one MariaDB 10.11 server (no Galera): trackr's `lb` and app-1..3 (DATABASE_URL mysql://...@db:3306/trackr)
 * in front of `db`, whose data directory is a size-limited disk of `diskMb` MiB (loop-mounted ext4, survives kill and
 * start), the target of disk faults.
 */
export function trackrMysqlTopology(options: { diskMb?: number } = {}): TopologyInput {
  const appNames = ["app-1", "app-2", "app-3"];
  const db: NodeSpecInput = {
    name: "db",
    ...galeraImages.mariadb,
    role: "db",
    env: { NODE_NAME: "db", GALERA: "off", ...mysqlUserEnv },
    ports: [mysqlDatabase.port],
    ready: mariadbReady,
    // The entrypoint copies a 30 MB data directory template onto the empty disk and gives it to the mysql user.
    dataVolume: { path: "/var/lib/mysql", sizeMb: options.diskMb ?? 160, kind: "loop-ext4" },
  };
  const apps: NodeSpecInput[] = appNames.map((name) => trackrAppNode(name, { databaseUrl: mysqlUrl("db"), dependsOn: ["db"] }));
  const lb = trackrBalancerNode(appNames);
  return { networks: ["main"], nodes: [db, ...apps, lb] };
}

/** After traffic, one class's reading ids from `db`. */
export function trackrMysqlReadback(traffic: string) {
  return mysqlReadback(traffic, { node: "db" });
}
