import { homedir } from "node:os";
import { join } from "node:path";

/** Per-user cache for built tools (k6, toxiproxy); survives fresh clones of the checkout. */
export function cacheDir(): string {
  return process.env.HAVOC_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "havoc");
}

export function toolBinDir(): string {
  return join(cacheDir(), "bin");
}
