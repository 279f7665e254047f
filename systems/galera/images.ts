import { fileURLToPath } from "node:url";
import type { NodeSpecInput } from "../../api/index.ts";

const context = (dir: string) => fileURLToPath(new URL(`./${dir}/`, import.meta.url));

/** Images of the galera reference system (README.md). Tags are ":dev": rebuilt when their context changes. */
export const galeraImages = {
  // MariaDB 10.11 + galera-4: a Galera node, or a single server with GALERA=off (trackr on MySQL).
  mariadb: { image: "havoc/mariadb:dev", build: { context: context("mariadb") } },
  // haproxy in TCP mode with the Galera health check: the cluster's router.
  router: { image: "havoc/galera-router:dev", build: { context: context("router") } },
  // The off-site backup node: mariabackup/mbstream pulling a node's streamed backup, prepared and catalogued.
  backup: { image: "havoc/galera-backup:dev", build: { context: context("backup") } },
} satisfies Record<string, Required<Pick<NodeSpecInput, "image" | "build">>>;
