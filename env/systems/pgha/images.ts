import { fileURLToPath } from "node:url";
import type { ImageSpec } from "../../bootstrap/images.ts";
import { trackrImages } from "../trackr/images.ts";

const context = (dir: string) => fileURLToPath(new URL(`./${dir}/`, import.meta.url));

const trackrApp = trackrImages.find((image) => image.tag === "havoc/trackr-app:dev")!;

/**
 * trackr's app under a tag of pgha's own: the same context, bundle and Dockerfile. Several worktrees build
 * "havoc/trackr-app:dev" from their own copy of the app on one shared Docker engine, so a pgha run could start
 * whichever copy was built last (measured: twice, an app without the fix for a database dying mid-query); a tag only
 * pgha builds is the app of this checkout. The balancer stays trackr's image.
 */
export const pghaAppImage: ImageSpec = { ...trackrApp, tag: "havoc/pgha-app:dev" };

/**
 * Images of the pgha reference system (README.md): PostgreSQL + Patroni nodes, etcd members, the haproxy router, the
 * app. Tags are ":dev": rebuilt when their context changes.
 */
export const pghaImages: ImageSpec[] = [
  pghaAppImage,
  { tag: "havoc/pgha-node:dev", contextDir: context("node") },
  { tag: "havoc/pgha-etcd:dev", contextDir: context("etcd") },
  { tag: "havoc/pgha-proxy:dev", contextDir: context("pgproxy") },
];
