import { spawnSync } from "node:child_process";
import { mkdtemp, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadScenarioFile } from "../../scenario/load-scenario.ts";

/**
 * Scenario files outside the havoc checkout, as a user's repository has them: loaded by bin/havoc.js (tsx plus the
 * hooks that load TypeScript as ES modules), `havoc` resolved from the repository's own node_modules (here a link
 * to this checkout; test/integration/package-in-their-repo.test.ts installs the packed tarball instead), every path
 * relative to the scenario file. No Docker: each run stops at validation (exit 2) or at a refusal.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
let repo: string;

const valid = (extra = "") => `import { defineScenario, k6Traffic } from "havoc";
${extra}
export default defineScenario({
  name: "their-scenario",
  topology: { nodes: [{ name: "web", build: { context: "../app" }, ports: [8080] }] },
  traffic: [k6Traffic({ name: "writers", file: "../load/writers.ts", target: { node: "web", port: 8080 }, duration: "10s" })],
  slos: [{ id: "writes-ok", kind: "availability", traffic: "writers", atLeastPercent: 99 }],
});
`;

function havoc(...args: string[]) {
  const result = spawnSync(process.execPath, [join(root, "bin/havoc.js"), ...args], { cwd: repo, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" }, timeout: 60_000 });
  return { code: result.status, stderr: result.stderr };
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "havoc-their-repo-"));
  // A CommonJS repository (npm's default: no "type"), where tsx alone would compile the scenario to require().
  await writeFile(join(repo, "package.json"), JSON.stringify({ name: "their-repo", private: true }));
  await mkdir(join(repo, "node_modules"));
  await symlink(root, join(repo, "node_modules/havoc"));
  for (const dir of ["app", "load", "scenarios"]) await mkdir(join(repo, dir));
  await writeFile(join(repo, "app/Dockerfile"), "FROM debian:bookworm\n");
  await writeFile(join(repo, "load/writers.ts"), 'import { reportOp } from "havoc/k6";\nexport default function () {}\n');
  await writeFile(join(repo, "scenarios/ok.ts"), valid('const pause = await Promise.resolve(0); // top-level await: an ES module'));
  await writeFile(join(repo, "scenarios/invalid.ts"), valid().replace('"availability"', '"availabilty"'));
  await writeFile(join(repo, "scenarios/scenario.yaml"), "name: x\n");
  await writeFile(join(repo, "scenarios/missing-files.ts"), valid().replace("../load/writers.ts", "../load/nope.ts").replace('"../app"', '"../nowhere"'));
  await writeFile(join(repo, "scenarios/no-package.ts"), 'import { defineScenario } from "havoc-nope";\nexport default defineScenario({});\n');
  await writeFile(join(repo, "scenarios/dirname.ts"), "export default { name: __dirname };\n");
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe("scenario files in the user's repository", () => {
  it("loads a TypeScript scenario from a CommonJS repository, importing havoc from its node_modules, paths relative to the file", async () => {
    const scenario = await loadScenarioFile(join(repo, "scenarios/ok.ts"));
    expect(scenario.topology.nodes[0]!.build?.context).toBe(join(repo, "app"));
    expect(scenario.traffic[0]).toMatchObject({ script: "k6", file: join(repo, "load/writers.ts") });
    // Through the bin, as `npx havoc run` does, from another folder: it gets past loading to validation.
    const run = havoc("run", "scenarios/invalid.ts");
    expect(run.stderr).toContain("scenarios/invalid.ts: invalid scenario");
    expect(run.stderr).toContain("at slos[0].kind");
    expect(run.stderr).not.toContain("could not be loaded");
    expect(run.code).toBe(2);
  });

  it("refuses a file that is not a module with the fix", () => {
    const yaml = havoc("run", "scenarios/scenario.yaml");
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toContain('cannot be loaded as a module (a ".yaml" file)');
    expect(yaml.stderr).toContain('export default defineScenario({ ... })');
    expect(yaml.stderr).toContain('topology: { compose: "./scenario.yaml" }');
    const missing = havoc("run", "scenarios/no-package.ts");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('scenarios/no-package.ts: cannot find package "havoc-nope"\n  at scenarios/no-package.ts:1:32\n  1 | import { defineScenario } from "havoc-nope";');
    expect(missing.stderr).toContain("hint: install havoc-nope in the scenario's repository (npm install --save-dev havoc-nope), or fix the name");
    const cjs = havoc("run", "scenarios/dirname.ts");
    expect(cjs.code).toBe(2);
    expect(cjs.stderr).toContain("use import.meta.dirname");
  });

  it("names every file the scenario points at that is not there, relative to the scenario", () => {
    const run = havoc("run", "scenarios/missing-files.ts");
    expect(run.code).toBe(2);
    // Paths are shown from where havoc was started (the repository), with the path as written.
    expect(run.stderr).toContain('at topology.nodes[0].build.context: no such folder nowhere (the path "../nowhere" is relative to the scenario file)');
    expect(run.stderr).toContain('at traffic[0].file: no such file load/nope.ts (the path "../load/nope.ts" is relative to the scenario file)');
  });
});
