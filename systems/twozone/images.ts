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

/**
 * twozone's backup nodes (backup/Dockerfile): Debian's PostgreSQL client tools and rsync; ROLE=daily takes base
 * backups in zone A (trackr's backup loop and export, copied into the context by `prepare`), ROLE=copy copies them
 * to zone B.
 */
export const twozoneBackupImage = {
  image: "havoc/twozone-backup:dev",
  build: {
    context: fileURLToPath(new URL("./backup/", import.meta.url)),
    prepare: ["sh", "-c", "mkdir -p dist && cp ../../trackr/backup/backup-loop.sh ../../trackr/backup/backup-export.sh dist/"],
  },
} satisfies Required<Pick<NodeSpecInput, "image" | "build">>;
