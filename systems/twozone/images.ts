import { fileURLToPath } from "node:url";
import type { NodeSpecInput } from "../../api/index.ts";

/**
 * The per-zone reverse proxy (haproxy): reads to the zone's own app, writes to the primary zone's. The other twozone
 * nodes use trackr's app and PostgreSQL images.
 */
export const twozoneProxyImage = {
  image: "havoc/twozone-proxy:dev",
  build: { context: fileURLToPath(new URL("./proxy/", import.meta.url)) },
} satisfies Required<Pick<NodeSpecInput, "image" | "build">>;
