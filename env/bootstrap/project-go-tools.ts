import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { EnvironmentError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { toolBinDir } from "../paths.ts";
import { goBuilds, goVersion } from "./go-tools.ts";
import { isExecutable, oneAtATime, run, type BootstrapStep, type StepStatus } from "./shared.ts";

/**
 * The project's own Go programs (env/go/<name>, each its own module with go.mod and go.sum): built at bootstrap into
 * the tool cache, as k6 is, and rebuilt exactly when a source file of the module changed (a hash of the module's
 * files is kept beside the binary).
 */
export interface ProjectGoTool {
  name: string;
  /** Folder of the module. */
  moduleDir: string;
}

const goDir = (name: string) => fileURLToPath(new URL(`../go/${name}/`, import.meta.url));

/** Porcupine, the linearizability checker the `linearizable` SLO runs (judge/checkers/linearizable.ts). */
export const porcupineTool: ProjectGoTool = { name: "porcupine-check", moduleDir: goDir("porcupine-check") };
/** The FUSE filesystem that loses unfsynced writes on command (faults: power-loss, io-error, io-latency). */
export const lazyfsTool: ProjectGoTool = { name: "lazyfs", moduleDir: goDir("lazyfs") };

export function projectToolPath(tool: ProjectGoTool): string {
  return join(toolBinDir(), tool.name);
}

const stampPath = (tool: ProjectGoTool) => `${projectToolPath(tool)}.source-hash`;

/** sha256 of the module's source files (go.mod, go.sum, *.go), sorted by name. */
async function sourceHash(tool: ProjectGoTool): Promise<string> {
  const names = (await readdir(tool.moduleDir)).filter((n) => n.endsWith(".go") || n === "go.mod" || n === "go.sum").sort();
  const hash = createHash("sha256");
  for (const name of names) hash.update(`${name}\0`).update(await readFile(join(tool.moduleDir, name)));
  return hash.digest("hex");
}

async function check(tool: ProjectGoTool): Promise<StepStatus> {
  if (!(await isExecutable(projectToolPath(tool)))) return { present: false, detail: `${projectToolPath(tool)} missing` };
  const built = (await readFile(stampPath(tool), "utf8").catch(() => "")).trim();
  if (built !== (await sourceHash(tool))) return { present: false, detail: `${projectToolPath(tool)} is older than its sources` };
  return { present: true, detail: `${tool.name} at ${projectToolPath(tool)}` };
}

async function ensure(tool: ProjectGoTool, logger: Logger): Promise<StepStatus> {
  const before = await check(tool);
  if (before.present) return before;
  const go = await goVersion();
  if (go === undefined) throw new EnvironmentError(`${tool.name}: the Go toolchain is needed to build it and \`go\` is not on PATH`, "install Go >= 1.25 and put its bin directory on PATH");
  await mkdir(toolBinDir(), { recursive: true });
  const startedMs = Date.now();
  const temp = `${projectToolPath(tool)}.build-${process.pid}`;
  const hash = await sourceHash(tool);
  try {
    // One Go build at a time, beside k6's (they would compile shared modules twice and fight for the cores).
    const result = await oneAtATime(goBuilds, tool.name, () => {
      logger.info(`${tool.name}: building ${tool.moduleDir} with ${go}`);
      return run("go", ["build", "-trimpath", "-o", temp, "."], { cwd: tool.moduleDir, tailLines: 30 });
    }, (holder) => logger.info(`${tool.name}: waiting for the ${holder} build (Go builds run one at a time)`));
    if (result.code !== 0) {
      for (const line of result.tail) logger.info(`  | ${line}`);
      throw new EnvironmentError(`${tool.name}: go build failed (exit ${result.code})`, `run it by hand to see why: cd ${tool.moduleDir} && go build -o /tmp/${tool.name} .`);
    }
    await rename(temp, projectToolPath(tool));
    await writeFile(stampPath(tool), `${hash}\n`);
  } finally {
    await rm(temp, { force: true });
  }
  logger.info(`${tool.name}: built in ${Math.round((Date.now() - startedMs) / 1000)} s`);
  return check(tool);
}

export function projectToolStep(tool: ProjectGoTool): BootstrapStep {
  return { name: tool.name, check: () => check(tool), ensure: (logger) => ensure(tool, logger) };
}
