import { spawnSync } from "node:child_process";

/** The checkout's commit, recorded with a suite or an exploration in the history; null when git cannot tell. */
export function gitCommit(cwd: string): string | null {
  const result = spawnSync("git", ["rev-parse", "HEAD"], { cwd, encoding: "utf8", timeout: 5_000 });
  const sha = result.status === 0 ? result.stdout.trim() : "";
  return /^[0-9a-f]{40}$/.test(sha) ? sha : (process.env.GITHUB_SHA ?? null);
}
