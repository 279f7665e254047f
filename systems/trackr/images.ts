import { fileURLToPath } from "node:url";
import type { NodeSpecInput } from "../../api/index.ts";

/** A node's image fields: the tag and the build that makes it (the same path a user's own Dockerfile takes). */
type NodeImage = Required<Pick<NodeSpecInput, "image" | "build">>;

const context = (dir: string) => fileURLToPath(new URL(`./${dir}/`, import.meta.url));

/**
 * Images of the trackr reference system (README.md). Tags are ":dev": rebuilt when their context changes. The app's
 * context bundles the app and its npm deps into dist/server.mjs first (app/bundle.mjs), so the image needs Debian's
 * Node but no npm install.
 */
export const trackrImages = {
  app: { image: "havoc/trackr-app:dev", build: { context: context("app"), prepare: ["node", "bundle.mjs"] } },
  postgres: { image: "havoc/trackr-postgres:dev", build: { context: context("postgres") } },
  haproxy: { image: "havoc/trackr-haproxy:dev", build: { context: context("haproxy") } },
  backup: { image: "havoc/trackr-backup:dev", build: { context: context("backup") } },
} satisfies Record<string, NodeImage>;
