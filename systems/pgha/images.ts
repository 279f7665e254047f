import { fileURLToPath } from "node:url";
import type { NodeSpecInput } from "../../api/index.ts";

const context = (dir: string) => fileURLToPath(new URL(`./${dir}/`, import.meta.url));

/**
 * Images of the pgha reference system (README.md): PostgreSQL + Patroni nodes, etcd members, the haproxy router.
 * The apps and the balancer are trackr's images. Tags are ":dev": rebuilt when their context changes.
 */
export const pghaImages = {
  node: { image: "havoc/pgha-node:dev", build: { context: context("node") } },
  etcd: { image: "havoc/pgha-etcd:dev", build: { context: context("etcd") } },
  proxy: { image: "havoc/pgha-proxy:dev", build: { context: context("pgproxy") } },
} satisfies Record<string, Required<Pick<NodeSpecInput, "image" | "build">>>;
