import { fileURLToPath } from "node:url";
import type { ImageSpec } from "../../bootstrap/images.ts";

/**
 * The per-zone reverse proxy (haproxy): reads to the zone's own app, writes to the primary zone's. The other twozone
 * nodes use trackr's app and PostgreSQL images.
 */
export const twozoneProxyImage: ImageSpec = { tag: "havoc/twozone-proxy:dev", contextDir: fileURLToPath(new URL("./proxy/", import.meta.url)) };
