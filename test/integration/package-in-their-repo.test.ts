import { spawn } from "node:child_process";
import { appendFileSync, existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerClient } from "../../env/docker/client.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { leftovers, repoRoot } from "../support/run-cli.ts";

/**
 * Havoc as a new user meets it: `npm pack` the checkout, copy examples/notes-service (a Python service with its own
 * Dockerfiles and compose file, a k6 script and a scenario) to a temporary folder, `npm install` the tarball there,
 * and run the scenario with `npx havoc run` and from the example's own vitest test (`havoc/runner`, `await using`).
 * Nothing may resolve from the checkout: the processes start in the copy, with no NODE_PATH or NODE_OPTIONS.
 */
const checkout = repoRoot.replace(/\/$/, "");
let work: string;
let repo: string;
let logFile: string;
let tagsBefore: Set<string>;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a user's shell would have: none of the outer npm/vitest run's variables. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST|NODE_OPTIONS$|NODE_PATH$|TEST$|INIT_CWD$)/i.test(k)));
}

function run(command: string, args: string[], cwd: string, timeoutMs: number): Promise<Ran> {
  return new Promise((resolve) => {
    appendFileSync(logFile, `\n$ (cd ${cwd} && ${command} ${args.join(" ")})\n`);
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      appendFileSync(logFile, d);
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      appendFileSync(logFile, d);
    });
    // SIGTERM first: havoc heals, tears down and reports aborted within 15 s.
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

async function localBuildTags(): Promise<Set<string>> {
  const images = await dockerClient().listImages({ filters: JSON.stringify({ reference: ["havoc-local/*"] }) });
  return new Set(images.flatMap((i) => i.RepoTags ?? []));
}

function runDirs(): string[] {
  const runs = join(repo, "havoc-results", "runs");
  return existsSync(runs) ? readdirSync(runs).map((id) => join(runs, id)) : [];
}

/** Every file under a folder whose text mentions `needle` (the installed package must not name the checkout). */
function filesMentioning(dir: string, needle: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...filesMentioning(path, needle));
    else if (entry.isFile() && readFileSync(path, "utf8").includes(needle)) found.push(path);
  }
  return found;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "havoc-package-"));
  logFile = join(work, "commands.log");
  repo = join(work, "notes-service");
  tagsBefore = await localBuildTags();
  const packed = await run("npm", ["pack", "--pack-destination", work, "--json"], checkout, 120_000);
  expect(packed.code, packed.stdout.slice(-3000) + packed.stderr.slice(-3000)).toBe(0);
  const tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0]!.filename);
  await cp(join(checkout, "examples/notes-service"), repo, { recursive: true, filter: (src) => !/\/(node_modules|havoc-results)(\/|$)/.test(src) });
  // The npm cache answers what it holds (CI installed the same versions for the checkout); the registry the rest.
  const installed = await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], repo, 480_000);
  expect(installed.code, installed.stderr).toBe(0);
}, 600_000);

afterAll(async () => {
  // Tags this test's builds made (their paths are in this temporary folder): untag, keeping the layers as cache.
  for (const tag of await localBuildTags()) if (!tagsBefore.has(tag)) await dockerClient().getImage(tag).remove({ noprune: true }).catch(() => undefined);
  if (work && !process.env.HAVOC_KEEP_TMP) await rm(work, { recursive: true, force: true });
});

describe("havoc installed from its tarball in someone else's repository", () => {
  it("installs as a package of its own, with nothing pointing back into the checkout", async () => {
    const installed = join(repo, "node_modules/havoc");
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(realpathSync(join(repo, "node_modules/.bin/havoc"))).toBe(join(installed, "bin/havoc.js"));
    const resolved = await run(process.execPath, ["--input-type=module", "-e", 'for (const s of ["havoc", "havoc/k6", "havoc/runner"]) console.log(import.meta.resolve(s))'], repo, 60_000);
    // The package's JavaScript (built by prepack), as every package on the registry ships: Node strips no types
    // under node_modules. havoc/k6 under Node is its Node build (k6's modules stood in for).
    expect(resolved.stdout.trim().split("\n")).toEqual([`file://${installed}/dist/index.js`, `file://${installed}/dist/k6-node.js`, `file://${installed}/dist/runner.js`]);
    expect(filesMentioning(installed, checkout)).toEqual([]);
    // What the package ships: the engine and its image contexts, not the checkout's tests or run reports.
    expect(existsSync(join(installed, "env/images/toxiproxy/Dockerfile"))).toBe(true);
    expect(existsSync(join(installed, "test"))).toBe(false);
    expect(existsSync(join(installed, "havoc-results/runs"))).toBe(false);
    // ... nor what builds leave in the checkout's image contexts (the toxiproxy binary, trackr's bundle).
    expect(existsSync(join(installed, "env/images/toxiproxy/bin"))).toBe(false);
    expect(existsSync(join(installed, "systems/trackr/app/dist"))).toBe(false);
  });

  it("type-checks the example's scenario and test against the package's declarations, with the example's own tsconfig", async () => {
    // The example's tsconfig has no allowImportingTsExtensions, no DOM lib, no @types/pg: it never reads havoc's
    // sources, only types/ (made by npm pack).
    expect(existsSync(join(repo, "node_modules/havoc/types/api/index.d.ts"))).toBe(true);
    const checked = await run("npx", ["tsc", "-p", "tsconfig.json"], repo, 240_000);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
  }, 300_000);

  it("refuses a compose key it does not support, naming it, before anything starts", async () => {
    const compose = await readFile(join(repo, "compose.yaml"), "utf8");
    await writeFile(join(repo, "compose.deploy.yaml"), compose.replace("  notes:\n", "  notes:\n    deploy:\n      replicas: 2\n"));
    const scenario = await readFile(join(repo, "scenarios/redis-crash.scenario.ts"), "utf8");
    await writeFile(join(repo, "scenarios/deploy.scenario.ts"), scenario.replace("../compose.yaml", "../compose.deploy.yaml"));
    const refused = await run("npx", ["havoc", "run", "scenarios/deploy.scenario.ts"], repo, 120_000);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${join(repo, "compose.deploy.yaml")}: compose keys havoc does not support`);
    // The compose problem is one of the scenario's problems: placed at topology.compose, then the path inside the file.
    expect(refused.stderr).toContain("at topology.compose: services.notes.deploy: not supported; supported: image, build, environment, ports, networks, healthcheck, depends_on, command");
    expect(runDirs()).toEqual([]);
  }, 180_000);

  it("runs the example's scenario end to end with npx havoc run, reports under the example's folder", async () => {
    const ran = await run("npx", ["havoc", "run", "scenarios/redis-crash.scenario.ts", "--seed", "7"], repo, 900_000);
    process.stdout.write(`\n${ran.stdout}\n`);
    expect(ran.code, ran.stderr.slice(-3000)).toBe(0);
    const [runDir] = runDirs();
    expect(realpathSync(join(repo, "havoc-results/latest"))).toBe(runDir);
    const report = RunReport.parse(JSON.parse(await readFile(join(runDir!, "report.json"), "utf8")));
    expect(report.verdict).toBe("pass");
    expect(report.slos.map((s) => [s.id, s.verdict])).toEqual([
      ["no-acknowledged-note-lost", "pass"],
      ["writes-before-crash", "pass"],
      ["writes-back-after-restart", "pass"],
    ]);
    // The fault really acted: Redis died (Docker's event) and the notes service refused writes meanwhile.
    expect(report.faults).toMatchObject([{ kind: "kill", targets: ["redis"] }]);
    const events = readFileSync(join(runDir!, "events.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { type: string; event?: { node: string; action: string } });
    expect(events.some((e) => e.type === "container" && e.event?.node === "redis" && e.event.action === "die")).toBe(true);
    expect(report.dataLoss.acknowledged).toBeGreaterThan(100);
    expect(report.dataLoss.lost).toBe(0);
    const writers = report.traffic.writers!;
    expect(writers.fail + writers.unknown).toBeGreaterThan(0);
    // Their k6 script was bundled with havoc/k6 from their node_modules, not from the checkout.
    const bundle = await readFile(join(runDir!, "k6/k6-writers.bundle.js"), "utf8");
    expect(bundle).toContain("node_modules/havoc/load/k6/lib/public-api.ts");
    expect(bundle).not.toContain(checkout);
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 960_000);

  it("runs it from the example's vitest test through havoc/runner with await using", async () => {
    const before = new Set(runDirs());
    const ran = await run("npx", ["vitest", "run"], repo, 900_000);
    expect(ran.code, ran.stdout.slice(-3000) + ran.stderr.slice(-3000)).toBe(0);
    expect(ran.stdout).toMatch(/1 passed/);
    const fresh = runDirs().filter((d) => !before.has(d));
    expect(fresh).toHaveLength(1);
    const report = RunReport.parse(JSON.parse(await readFile(join(fresh[0]!, "report.json"), "utf8")));
    expect(report.verdict).toBe("pass");
    expect(await leftovers(report.runId)).toEqual({ containers: 0, networks: 0 });
  }, 960_000);
});
