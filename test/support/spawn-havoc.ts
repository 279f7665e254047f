import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./run-cli.ts";

export interface SpawnedHavoc {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>;
  stderr(): string;
  /** What it printed on stdout so far (the SLO table and its last line, the verdict). */
  stdout(): string;
}

/**
 * Starts `havoc <args>` in the background (for signal tests); the caller decides when to stop it. `env` adds to the
 * test's environment (DOCKER_HOST of a proxy, a shorter engine call deadline).
 */
export function spawnHavoc(args: string[], env: Record<string, string> = {}): SpawnedHavoc {
  const child = spawn(process.execPath, [join(repoRoot, "bin/havoc.js"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
  let stderr = "";
  let stdout = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; atMs: number }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal, atMs: Date.now() })),
  );
  return { child, exited, stderr: () => stderr, stdout: () => stdout };
}

/** The run directories under a reports dir (one per run that got far enough to create it). */
export function runDirs(reportsDir: string): string[] {
  const runs = join(reportsDir, "runs");
  return existsSync(runs) ? readdirSync(runs).map((id) => join(runs, id)) : [];
}

/** Event types written so far to a run's events.ndjson (torn last line ignored). */
export function eventTypes(runDir: string): string[] {
  const path = join(runDir, "events.ndjson");
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .flatMap((line) => {
      try {
        return [(JSON.parse(line) as { type: string }).type];
      } catch {
        return [];
      }
    });
}

/** Polls `condition` every 100 ms until it holds or `timeoutMs` passes; returns whether it held. */
export async function pollUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return condition();
}
