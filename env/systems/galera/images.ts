import { fileURLToPath } from "node:url";
import type { ImageSpec } from "../../bootstrap/images.ts";

/** Images of the galera reference system (README.md). Tags are ":dev": rebuilt when their context changes. */
export const galeraImages: ImageSpec[] = [
  // MariaDB 10.11 + galera-4: a Galera node, or a single server with GALERA=off (trackr on MySQL).
  { tag: "havoc/mariadb:dev", contextDir: fileURLToPath(new URL("./mariadb/", import.meta.url)) },
  // haproxy in TCP mode with the Galera health check: the cluster's router.
  { tag: "havoc/galera-router:dev", contextDir: fileURLToPath(new URL("./router/", import.meta.url)) },
];
