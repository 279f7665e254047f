import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/run-cli.ts";

/**
 * The package as the registry would serve it: `npm pack` the checkout (prepack builds dist/ and types/), install the
 * tarball into an empty project (npm's defaults: CommonJS, no TypeScript), then load each entry point from plain
 * Node, tsx, vitest and a bundler, and run the bin. No Docker: `havoc check` is as far as it goes.
 * Prints the figures: pack time, tarball size, install time.
 */
const checkout = repoRoot.replace(/\/$/, "");
let work: string;
let project: string;
let tarball: string;

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The environment of a user's shell: none of this vitest run's variables. */
function userEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|VITEST|NODE_OPTIONS$|NODE_PATH$|TEST$|INIT_CWD$)/i.test(k)));
}

function run(command: string, args: string[], cwd: string, timeoutMs = 120_000): Promise<Ran> {
  return new Promise((resolve) => {
    const startedMs = performance.now();
    const child = spawn(command, args, { cwd, env: userEnv(), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: performance.now() - startedMs });
    });
  });
}

/** `node -e` in the project: the entry's exported names, sorted, one line. */
const exportedNames = (entry: string) => `import(${JSON.stringify(entry)}).then((m) => console.log(Object.keys(m).sort().join(",")), (e) => { console.error(e.code, e.message); process.exit(1); })`;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "havoc-package-imports-"));
  const packed = await run("npm", ["pack", "--pack-destination", work, "--json"], checkout, 300_000);
  expect(packed.code, packed.stderr.slice(-3000)).toBe(0);
  const [info] = JSON.parse(packed.stdout) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
  tarball = join(work, info!.filename);
  project = join(work, "empty-project");
  await mkdir(project);
  // What `npm init -y` leaves: no "type", so .js is CommonJS here.
  await writeFile(join(project, "package.json"), JSON.stringify({ name: "empty-project", version: "1.0.0", private: true }, null, 2));
  const installed = await run("npm", ["install", "--no-audit", "--no-fund", tarball], project, 480_000);
  expect(installed.code, installed.stderr.slice(-3000)).toBe(0);
  process.stdout.write(
    `\npackage figures: npm pack ${(packed.ms / 1000).toFixed(1)} s (prepack build included); tarball ${(statSync(tarball).size / 1024).toFixed(0)} KiB, ` +
      `${(info!.unpackedSize / 1024).toFixed(0)} KiB unpacked, ${info!.entryCount} files; npm install into an empty project ${(installed.ms / 1000).toFixed(1)} s\n`,
  );
}, 900_000);

afterAll(async () => {
  if (work && !process.env.HAVOC_KEEP_TMP) await rm(work, { recursive: true, force: true });
});

describe("the packed havoc, installed into an empty project", () => {
  it("leaves the checkout as it was: dist/ holds the stand-ins again", async () => {
    const shim = await run(process.execPath, ["-e", 'process.stdout.write(require("fs").readFileSync("dist/cli.js", "utf8"))'], checkout);
    expect(shim.stdout).toBe("// The checkout's stand-in: `npm pack` replaces it with the built JavaScript (bin/build-package.mjs).\nexport * from \"../engine/cli.ts\";\n");
  });

  it("resolves every entry to JavaScript under plain Node (havoc/k6: its Node build)", async () => {
    const resolved = await run(process.execPath, ["--input-type=module", "-e", 'for (const s of ["havoc", "havoc/runner", "havoc/k6"]) console.log(import.meta.resolve(s))'], project);
    const installed = join(project, "node_modules/havoc");
    expect(resolved.stdout.trim().split("\n")).toEqual([`file://${installed}/dist/index.js`, `file://${installed}/dist/runner.js`, `file://${installed}/dist/k6-node.js`]);
  });

  it("imports each entry from plain Node and lists its exports", async () => {
    const names: Record<string, string[]> = {};
    for (const entry of ["havoc", "havoc/runner", "havoc/k6"]) {
      const imported = await run(process.execPath, ["-e", exportedNames(entry)], project);
      expect(imported.code, `${entry}: ${imported.stderr}`).toBe(0);
      names[entry] = imported.stdout.trim().split(",");
      process.stdout.write(`${entry}: ${imported.stdout}`);
    }
    expect(names.havoc).toEqual(expect.arrayContaining(["defineScenario", "fromCompose", "k6Traffic", "kill", "pause", "isolate", "parseDuration"]));
    expect(names["havoc/runner"]).toEqual(["checkScenarios", "runScenario"]);
    expect(names["havoc/k6"]).toEqual(expect.arrayContaining(["reportHttp", "reportOp", "classify", "havocOptions", "targetUrl", "uniqueId"]));
  });

  it("runs havoc/k6's pure helpers under Node and says why k6's own modules cannot work there", async () => {
    const used = await run(
      process.execPath,
      ["--input-type=module", "-e", 'import { exponentialThinkMs, thinkUntil } from "havoc/k6"; console.log(typeof exponentialThinkMs(100)); try { thinkUntil(Date.now() + 1000, 10); } catch (e) { console.log(e.message); }'],
      project,
    );
    expect(used.stderr).toBe("");
    expect(used.stdout).toBe('number\nhavoc/k6: sleep() (from "k6") exists only inside k6: havoc bundles your k6 script and k6 runs it. Under Node only the helpers that need no k6 work (classify, opLine, segmentOptions, exponentialThinkMs, ...).\n');
  });

  it("runs npx havoc --help there", async () => {
    const help = await run("npx", ["havoc", "--help"], project);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stderr).toBe("");
    expect(help.stdout).toMatch(/^havoc: .*\n\nusage: havoc <command> \[arguments\] \[options\]\n/);
    expect(help.stdout).toContain("\n  check     validate scenario files and print their plans");
  });

  it("checks the user's TypeScript scenario and the package's own with npx havoc check (exit 0), and a broken one (exit 2)", async () => {
    await mkdir(join(project, "scenarios"));
    await writeFile(join(project, "load.ts"), "export default function () {}\n");
    const scenario = (duration: string) => `import { defineScenario, k6Traffic, kill } from "havoc";
export default defineScenario({
  name: "mine-${duration.replace(/\W/g, "")}",
  topology: { nodes: [{ name: "web", image: "nginx:1.27", role: "web", ports: [80] }, { name: "web-2", image: "nginx:1.27", role: "web", ports: [80] }] },
  traffic: [k6Traffic({ name: "readers", file: "../load.ts", target: { node: "web", port: 80 }, duration: ${JSON.stringify(duration)} as "90s" })],
  faults: [kill({ role: "web" }, { at: "20s", for: "15s" })],
  slos: [{ id: "reads-ok", kind: "availability", traffic: "readers", atLeastPercent: 99 }],
});
`;
    await writeFile(join(project, "scenarios/mine.ts"), scenario("1m30s"));
    const ok = await run("npx", ["havoc", "check", "scenarios", "node_modules/havoc/scenarios/trackr", "--seed", "2"], project);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("ok       scenarios/mine.ts\n  scenario  mine-1m30s\n  seed      2 (--seed)\n  traffic   readers (k6, 1m30s); ends at 1m30s");
    // The user's file and every trackr scenario the package ships (their number grows with the system).
    const files = 1 + readdirSync(join(checkout, "scenarios/trackr")).filter((f) => f.endsWith(".ts")).length;
    expect(ok.stdout).toMatch(new RegExp(`\\nchecked ${files} scenario file\\(s\\) in \\d+\\.\\d s: all valid; nothing was started\\n$`));
    process.stdout.write(`npx havoc check (${files} files) in the installed package: ${(ok.ms / 1000).toFixed(1)} s wall\n`);
    await writeFile(join(project, "scenarios/broken.ts"), scenario("90 secs"));
    const bad = await run("npx", ["havoc", "check", "scenarios"], project);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('INVALID  scenarios/broken.ts\n  invalid scenario\n  at traffic[0].duration: expected a duration such as "20s", "1m30s" or "500ms"; got "90 secs": write "90s"\n');
    await rm(join(project, "scenarios/broken.ts"));
  });

  it("loads under tsx and bundles with esbuild (both installed with havoc)", async () => {
    const underTsx = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", exportedNames("havoc/runner")], project);
    expect(underTsx.stdout.trim(), underTsx.stderr).toBe("checkScenarios,runScenario");
    await writeFile(join(project, "entry.mjs"), 'import { defineScenario } from "havoc";\nconsole.log(typeof defineScenario);\n');
    await writeFile(join(project, "script.mjs"), 'import { reportOp } from "havoc/k6";\nexport default function () { reportOp("read", "ok", Date.now(), 1); }\n');
    const bundle = (entry: string, extra: string) =>
      run(process.execPath, ["-e", `require("esbuild").build({ entryPoints: [${JSON.stringify(entry)}], bundle: true, write: false, format: "esm", ${extra} }).then((r) => process.stdout.write(r.outputFiles[0].text))`], project);
    const forNode = await bundle("entry.mjs", 'platform: "node", packages: "external"');
    expect(forNode.code, forNode.stderr).toBe(0);
    expect(forNode.stdout).toContain('from "havoc"');
    const forK6 = await bundle("script.mjs", 'platform: "neutral", external: ["k6", "k6/*"]');
    expect(forK6.code, forK6.stderr).toBe(0);
    // A bundler for k6 takes the k6 build: k6's modules stay imports for k6 to provide.
    expect(forK6.stdout).toMatch(/from "k6\/execution"/);
    expect(forK6.stdout).toContain("node_modules/havoc/dist/k6.js");
  });

  it("runs checkScenarios of havoc/runner from the project's own vitest", async () => {
    const added = await run("npm", ["install", "--no-audit", "--no-fund", "vitest@4.0.8"], project, 480_000);
    expect(added.code, added.stderr.slice(-3000)).toBe(0);
    await mkdir(join(project, "test"));
    await writeFile(
      join(project, "test/scenarios.test.mjs"),
      `import { expect, it } from "vitest";
import { checkScenarios } from "havoc/runner";
it("every scenario is valid", async () => {
  const { files } = await checkScenarios(["scenarios"], { seed: 2 });
  expect(files.map((f) => [f.file, f.ok, f.problems])).toEqual([["scenarios/mine.ts", true, undefined]]);
  expect(files[0].plan.faults[0].targetsText).toMatch(/^web(-2)? \\(1 of web, web-2, drawn by the seed\\)$/);
});
`,
    );
    const tested = await run("npx", ["vitest", "run"], project, 240_000);
    expect(tested.code, tested.stdout.slice(-3000) + tested.stderr.slice(-3000)).toBe(0);
    expect(tested.stdout).toMatch(/1 passed/);
  }, 600_000);
});
