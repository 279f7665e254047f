import { fileURLToPath } from "node:url";
import type { NodeSpecInput } from "../../api/index.ts";

/**
 * The identity server image: Redis, Sentinel and the identity app in one container (README.md). Its context bundles
 * the app and ioredis into dist/identity.mjs first (server/bundle.mjs): Debian's Node, no npm install.
 */
export const identityServerImage = {
  image: "havoc/identity-server:dev",
  build: { context: fileURLToPath(new URL("./server/", import.meta.url)), prepare: ["node", "bundle.mjs"] },
} satisfies Required<Pick<NodeSpecInput, "image" | "build">>;

/**
 * identity's off-site backup node (backup/Dockerfile): Debian's redis-tools copying the primary's data set on a
 * schedule (`redis-cli --rdb`) and exporting it as a Redis 7 AOF directory.
 */
export const identityBackupImage = {
  image: "havoc/identity-backup:dev",
  build: { context: fileURLToPath(new URL("./backup/", import.meta.url)) },
} satisfies Required<Pick<NodeSpecInput, "image" | "build">>;
