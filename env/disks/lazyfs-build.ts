import { execFile } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The Go module of the lazyfs daemon (its own go.mod, so `go build` runs inside it). */
export const lazyFsModuleDir = join(dirname(fileURLToPath(import.meta.url)), "..", "go", "lazyfs");

/** Builds the lazyfs binary to outPath (about 10 s cold, 1 s cached); resolves with the absolute path. */
export async function buildLazyFs(outPath: string, timeoutMs = 180_000): Promise<string> {
  const target = resolve(outPath);
  try {
    await run("go", ["build", "-o", target, "."], { cwd: lazyFsModuleDir, timeout: timeoutMs });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? "";
    throw new Error(`go build of ${lazyFsModuleDir} failed: ${stderr.trim() || (err instanceof Error ? err.message : String(err))}`);
  }
  return target;
}
