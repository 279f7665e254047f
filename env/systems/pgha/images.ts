import { fileURLToPath } from "node:url";
import type { ImageSpec } from "../../bootstrap/images.ts";

const context = (dir: string) => fileURLToPath(new URL(`./${dir}/`, import.meta.url));

/**
 * Images of the pgha reference system (README.md): PostgreSQL + Patroni nodes, etcd members, the haproxy router.
 * The apps and their balancer are trackr's images. Tags are ":dev": rebuilt when their context changes.
 */
export const pghaImages: ImageSpec[] = [
  { tag: "havoc/pgha-node:dev", contextDir: context("node") },
  { tag: "havoc/pgha-etcd:dev", contextDir: context("etcd") },
  { tag: "havoc/pgha-proxy:dev", contextDir: context("pgproxy") },
];
