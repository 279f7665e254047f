import { basename, dirname } from "node:path";

/** Node's error codes for the failures of a file the harness writes, in words a reader of a CI log knows. */
const CODE_WORDS: Record<string, string> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "read-only file system",
  EIO: "input/output error",
  ENOENT: "no such file or directory",
  EMFILE: "too many open files",
};

/**
 * One line for a failure of the harness's own I/O, naming what it was doing, the file and folder, and the cause:
 * "the harness could not write events.ndjson in /ci/reports/runs/X: no space left on device (ENOSPC)".
 * It says the harness failed, never the system under test (exit 3).
 */
export function ioFailureMessage(doing: string, path: string, error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? String((error as { code: unknown }).code) : undefined;
  const words = code === undefined ? undefined : CODE_WORDS[code];
  const cause = words !== undefined ? `${words} (${code})` : error instanceof Error ? error.message : String(error);
  return `the harness could not ${doing} ${basename(path)} in ${dirname(path)}: ${cause}`;
}
