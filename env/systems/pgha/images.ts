import { fileURLToPath } from "node:url";
import type { ImageSpec } from "../../bootstrap/images.ts";

const context = (dir: string) => fileURLToPath(new URL(`./${dir}/`, import.meta.url));

/**
 * Images of the pgha reference system (README.md): PostgreSQL + Patroni nodes, etcd members, the haproxy router.
 * The apps and the balancer are trackr's images (each run pins the images it starts by run tag, so another checkout
 * rebuilding them cannot swap them under it: env/bootstrap/pin-images.ts). Tags are ":dev": rebuilt when their
 * context changes.
 */
export const pghaImages: ImageSpec[] = [
  { tag: "havoc/pgha-node:dev", contextDir: context("node") },
  { tag: "havoc/pgha-etcd:dev", contextDir: context("etcd") },
  { tag: "havoc/pgha-proxy:dev", contextDir: context("pgproxy") },
];
