import { spawn } from "node:child_process";
import { PorcupineOutput } from "./linearizable-result.ts";

/** The whole JSON document porcupine-check reads on stdin (env/go/porcupine-check/input.go, checkInput). */
export interface PorcupineInput {
  timeoutMsPerKey: number;
  visualizationDir: string | null;
  memoryLimitMB: number;
  budgetMs: number;
  keys: { key: string; ops: unknown[] }[];
}

export type ProcessOutcome = { ok: true; output: PorcupineOutput } | { ok: false; reason: string };

/** Kept from stderr for the reason line: the Go program prints one line per failure. */
const stderrKeepChars = 2_000;

/**
 * Runs porcupine-check once. The process is killed (SIGKILL) after `killAfterMs`; every way it can go wrong
 * (missing binary, non-zero exit, signal, output that is not the expected JSON) comes back as a reason, never a throw.
 */
export function runPorcupineCheck(binaryPath: string, input: PorcupineInput, killAfterMs: number): Promise<ProcessOutcome> {
  return new Promise((resolve) => {
    const stdout: Buffer[] = [];
    let stderr = "";
    let killedForTime = false;
    let spawnError: Error | undefined;
    const child = spawn(binaryPath, [], { stdio: ["pipe", "pipe", "pipe"] });
    const timer = setTimeout(() => {
      killedForTime = true;
      child.kill("SIGKILL");
    }, killAfterMs);
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-stderrKeepChars);
    });
    // A binary that exits without reading its input (e.g. /bin/false) breaks the pipe: the exit code tells the story.
    child.stdin.on("error", () => undefined);
    child.on("error", (error) => {
      spawnError = error;
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const tail = stderr.trim().split("\n").pop() ?? "";
      const said = tail === "" ? "" : `: ${tail}`;
      if (spawnError !== undefined) return resolve({ ok: false, reason: `porcupine-check could not start (${binaryPath}): ${spawnError.message}` });
      if (killedForTime) return resolve({ ok: false, reason: `porcupine-check killed after ${formatMs(killAfterMs)} (the check's budget and its grace)` });
      if (signal !== null) return resolve({ ok: false, reason: `porcupine-check died of ${signal}${signal === "SIGKILL" ? " (out of memory?)" : ""}${said}` });
      if (code !== 0) return resolve({ ok: false, reason: `porcupine-check exited ${code}${said}` });
      resolve(parseOutput(Buffer.concat(stdout).toString("utf8")));
    });
    child.stdin.end(JSON.stringify(input));
  });
}

function parseOutput(text: string): ProcessOutcome {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const start = text.slice(0, 80).replace(/\s+/g, " ");
    return { ok: false, reason: `porcupine-check printed output that is not JSON (${text.length} chars${text.length > 0 ? `, starting "${start}"` : ""})` };
  }
  const parsed = PorcupineOutput.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `porcupine-check printed JSON of the wrong shape: ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}` };
  }
  return { ok: true, output: parsed.data };
}

export function formatMs(ms: number): string {
  return ms >= 1_000 ? `${Number((ms / 1_000).toFixed(1))} s` : `${Number(ms.toFixed(1))} ms`;
}
