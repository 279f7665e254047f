import { spawn } from "node:child_process";

export interface SpawnResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion with optional stdin; never throws for a non-zero exit. */
export function spawnCollect(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<SpawnResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"], env: options.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on("data", (d: Buffer) => out.push(d));
    child.stderr!.on("data", (d: Buffer) => err.push(d));
    const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8") });
    });
    if (child.stdin) {
      // A command that exits before reading all its input closes the pipe: its exit code tells what happened.
      child.stdin.on("error", () => undefined);
      child.stdin.end(options.input);
    }
  });
}

/** Like spawnCollect, but rejects naming the command when it exits non-zero. */
export async function spawnOk(command: string, args: readonly string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await spawnCollect(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ").slice(0, 200)}: exit ${result.code}: ${(result.stderr || result.stdout).trim().slice(0, 400)}`);
  return result.stdout;
}
