import { mkdir, mkdtemp, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { EnvironmentError } from "../../core/errors.ts";
import type { Logger } from "../../core/log.ts";
import { toolBinDir } from "../paths.ts";
import { isExecutable, oneAtATime, output, removeStaleDirs, run, workQueue, type BootstrapStep, type StepStatus } from "./shared.ts";

interface GoTool {
  name: string;
  /** Package path given to `go install`. */
  pkg: string;
  version: string;
  /** Name `go install` gives the binary (the last path element). */
  builtName: string;
  /** Name under toolBinDir(). */
  fileName: string;
  versionArgs: string[];
  /** go install leaves version variables at their defaults; set them like the upstream release build does. */
  ldflags?: string;
}

export const k6Tool: GoTool = {
  name: "k6",
  pkg: "go.k6.io/k6",
  version: "v1.8.1",
  builtName: "k6",
  fileName: "k6",
  versionArgs: ["version"],
};

export const toxiproxyTool: GoTool = {
  name: "toxiproxy",
  pkg: "github.com/Shopify/toxiproxy/v2/cmd/server",
  version: "v2.12.0",
  builtName: "server",
  fileName: "toxiproxy-server",
  versionArgs: ["-version"],
  ldflags: "-X github.com/Shopify/toxiproxy/v2.Version=2.12.0",
};

/**
 * GitHub Actions workflow linter: the tests lint .github/workflows with it (a real parser and type checker of
 * workflow syntax and expressions, not a look by eye). 7 s to build here.
 */
export const actionlintTool: GoTool = {
  name: "actionlint",
  pkg: "github.com/rhysd/actionlint/cmd/actionlint",
  version: "v1.7.12",
  builtName: "actionlint",
  fileName: "actionlint",
  // `go install` records the module version, which `actionlint -version` prints: no ldflags needed.
  versionArgs: ["-version"],
};

const progressEveryMs = 15_000;
const failureTailLines = 40;
/** Older build dirs are from interrupted runs: a cold k6 build takes 2 to 4 minutes here. */
const staleAfterMs = 60 * 60_000;

export function toolPath(tool: GoTool): string {
  return join(toolBinDir(), tool.fileName);
}

export function k6Path(): string {
  return toolPath(k6Tool);
}

export function actionlintPath(): string {
  return toolPath(actionlintTool);
}

export function toxiproxyServerPath(): string {
  return toolPath(toxiproxyTool);
}

async function installedVersion(tool: GoTool): Promise<string | undefined> {
  if (!(await isExecutable(toolPath(tool)))) return undefined;
  return (await output(toolPath(tool), tool.versionArgs))?.split("\n")[0];
}

export async function checkTool(tool: GoTool): Promise<StepStatus> {
  const reported = await installedVersion(tool);
  if (reported === undefined) return { present: false, detail: `${toolPath(tool)} missing` };
  const pinned = tool.version.replace(/^v/, "");
  if (!reported.includes(pinned)) return { present: false, detail: `${toolPath(tool)} reports "${reported}", pinned ${tool.version}` };
  return { present: true, detail: `${tool.name} ${tool.version} at ${toolPath(tool)}` };
}

export async function goVersion(): Promise<string | undefined> {
  return output("go", ["env", "GOVERSION"]);
}

/**
 * Go builds of this process, one at a time (cold, on 2 cores, k6 then toxiproxy took 257 s, both at once 317 s); the
 * other bootstrap steps (engine, debootstrap, apt, images) run beside them. A cold k6 build keeps about one of 2 cores
 * busy on average (164 CPU s in 168 s wall, measured), which leaves the other to them.
 */
export const goBuilds = workQueue();

/**
 * Flags of every tool build: no DWARF in the compiled packages, no symbol table or DWARF in the binary, no build
 * paths. Measured on a cold k6 build (fresh GOCACHE, same modules, 2 cores): 153 CPU s by default, 149 with only
 * `-trimpath -ldflags=-s -w`, 128 with `-gcflags=all=-dwarf=false` too (-16 %), binary 50 MB instead of 71 MB.
 * Runtime code is the same (panics still name functions: that table is not DWARF). CGO_ENABLED=0 saved nothing more.
 * `-p` is left to Go: its default, the number of cores, is what `-p=2` would set here.
 */
const buildFlags = ["-trimpath", "-gcflags=all=-dwarf=false"];
const linkerFlags = "-s -w";

/**
 * `go install pkg@version` into a temp GOBIN beside the target (same filesystem), then an atomic rename.
 * The two builds at once compile shared modules twice, hence one at a time (goBuilds).
 */
async function build(tool: GoTool, logger: Logger): Promise<void> {
  await mkdir(toolBinDir(), { recursive: true });
  await removeStaleDirs(toolBinDir(), `.build-${tool.fileName}-`, staleAfterMs);
  const gobin = await mkdtemp(join(toolBinDir(), `.build-${tool.fileName}-`));
  const startedMs = Date.now();
  const ticker = setInterval(() => logger.info(`still building ${tool.name} (${Math.round((Date.now() - startedMs) / 1000)} s)`), progressEveryMs);
  try {
    const args = ["install", ...buildFlags, "-ldflags", tool.ldflags ? `${linkerFlags} ${tool.ldflags}` : linkerFlags, `${tool.pkg}@${tool.version}`];
    const result = await run("go", args, { env: { ...process.env, GOBIN: gobin }, tailLines: failureTailLines });
    if (result.code !== 0) {
      for (const line of result.tail) logger.info(`  | ${line}`);
      throw new EnvironmentError(`${tool.name}: go install ${tool.pkg}@${tool.version} failed (exit ${result.code})`, `run it by hand to see why: GOBIN=/tmp/x go ${args.map((a) => (a.includes(" ") ? `'${a}'` : a)).join(" ")}`);
    }
    await rename(join(gobin, tool.builtName), toolPath(tool));
  } finally {
    clearInterval(ticker);
    await rm(gobin, { recursive: true, force: true });
  }
}

export async function ensureTool(tool: GoTool, logger: Logger): Promise<StepStatus> {
  const before = await checkTool(tool);
  if (before.present) return before;
  const go = await goVersion();
  if (go === undefined) {
    throw new EnvironmentError(`${tool.name}: the Go toolchain is needed to build ${tool.name} and \`go\` is not on PATH`, "install Go >= 1.25 (k6 v1.8 needs it) and put its bin directory on PATH");
  }
  const startedMs = Date.now();
  await oneAtATime(goBuilds, tool.name, () => {
    logger.info(`${tool.name}: building ${tool.pkg}@${tool.version} with ${go}`);
    return build(tool, logger);
  }, (holder) => logger.info(`${tool.name}: waiting for the ${holder} build (Go builds run one at a time)`));
  const after = await checkTool(tool);
  if (!after.present) throw new EnvironmentError(`${tool.name}: built, but ${after.detail}`, `remove ${toolPath(tool)} and retry`);
  logger.info(`${tool.name}: built in ${Math.round((Date.now() - startedMs) / 1000)} s`);
  return after;
}

export const k6Step: BootstrapStep = { name: "k6", check: () => checkTool(k6Tool), ensure: (logger) => ensureTool(k6Tool, logger) };
export const toxiproxyStep: BootstrapStep = { name: "toxiproxy", check: () => checkTool(toxiproxyTool), ensure: (logger) => ensureTool(toxiproxyTool, logger) };
export const actionlintStep: BootstrapStep = { name: "actionlint", check: () => checkTool(actionlintTool), ensure: (logger) => ensureTool(actionlintTool, logger) };
