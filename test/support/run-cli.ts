import { spawn } from "node:child_process";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RunReport } from "../../judge/report-schema.ts";
import { dockerClient } from "../../env/docker/client.ts";
import { RUN_LABEL } from "../../env/docker/labels.ts";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  reportsDir: string;
}

/** Runs `havoc <args>` as a user would (a separate process), with reports in a fresh temp dir. */
export async function runHavoc(args: string[], options: { timeoutMs?: number } = {}): Promise<CliRun> {
  const reportsDir = await mkdtemp(join(tmpdir(), "havoc-test-reports-"));
  // Only the commands that write reports take --reports: the others refuse an option that is not theirs.
  const reports = ["run", "suite", "demo", "explore"].includes(args[0] ?? "") ? ["--reports", reportsDir] : [];
  const child = spawn(process.execPath, [join(repoRoot, "bin/havoc.js"), ...args, ...reports], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 240_000);
  const exitCode = await new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  clearTimeout(timer);
  return { exitCode, stdout, stderr, reportsDir };
}

export async function readLatestReport(reportsDir: string): Promise<RunReport> {
  return RunReport.parse(JSON.parse(await readFile(join(reportsDir, "latest", "report.json"), "utf8")));
}

/** Containers and networks still labelled with this run id (must be none after a run). */
export async function leftovers(runId: string): Promise<{ containers: number; networks: number }> {
  const filters = JSON.stringify({ label: [`${RUN_LABEL}=${runId}`] });
  const docker = dockerClient();
  const [containers, networks] = await Promise.all([docker.listContainers({ all: true, filters }), docker.listNetworks({ filters })]);
  return { containers: containers.length, networks: networks.length };
}
