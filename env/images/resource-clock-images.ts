import { fileURLToPath } from "node:url";
import type { ImageSpec } from "../bootstrap/images.ts";

/** Sidecar of the cpu-stress, memory-stress and memory-limit faults (faults/resource-*.ts): stress-ng on Debian. */
export const stressImage: ImageSpec = { tag: "havoc/stress:dev", contextDir: fileURLToPath(new URL("./stress/", import.meta.url)) };

/**
 * Base for nodes whose clock the clock-skew fault may move: libfaketime preloaded (see faketime/README.md).
 * Build it before any node image FROM it.
 */
export const faketimeImage: ImageSpec = { tag: "havoc/faketime:dev", contextDir: fileURLToPath(new URL("./faketime/", import.meta.url)) };

/** Test node of test/integration/faults-clock.test.ts (FROM havoc/faketime:dev); not built by runs. */
export const faketimeTestnodeImage: ImageSpec = { tag: "havoc/faketime-testnode:dev", contextDir: fileURLToPath(new URL("./faketime-testnode/", import.meta.url)) };
