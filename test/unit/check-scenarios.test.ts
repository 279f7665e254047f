import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../engine/cli.ts";
import { checkScenarios as checkFromPackage } from "../../api/runner.ts";
import { checkScenarios } from "../../engine/commands/check-scenarios.ts";
import { repoRoot } from "../support/run-cli.ts";

/**
 * `havoc check` / checkScenarios: every file validated and its plan resolved, every bad file reported, nothing
 * started (no Docker is touched: these scenario files name images and build contexts that exist nowhere).
 */
let repo: string;

/** A scenario as plain data (an .mjs module), three app nodes behind nothing, one kill. */
function scenarioText(overrides: { name?: string; seed?: number; fault?: string; slo?: string } = {}): string {
  return `export default {
  name: ${JSON.stringify(overrides.name ?? "their-scenario")},${overrides.seed !== undefined ? `\n  seed: ${overrides.seed},` : ""}
  topology: { nodes: [
    { name: "app-1", build: { context: "../app" }, role: "app", ports: [8080] },
    { name: "app-2", build: { context: "../app" }, role: "app", ports: [8080] },
    { name: "app-3", build: { context: "../app" }, role: "app", ports: [8080] },
  ] },
  traffic: [{ name: "writers", script: "k6", file: "../load/writers.ts", target: { node: "app-1", port: 8080 }, duration: "1m30s" }],
  faults: [${overrides.fault ?? '{ id: "kill-app", kind: "kill", target: { role: "app" }, at: "20s", for: "15s" }'}],
  slos: [${overrides.slo ?? '{ id: "writes-ok", kind: "availability", traffic: "writers", atLeastPercent: 99 }'}],
};
`;
}

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), "havoc-check-"));
  for (const dir of ["app", "load", "good", "bad", "names"]) await mkdir(join(repo, dir));
  await writeFile(join(repo, "app/Dockerfile"), "FROM debian:bookworm\n");
  await writeFile(join(repo, "load/writers.ts"), "export default function () {}\n");
  await writeFile(join(repo, "good/kill.mjs"), scenarioText({ seed: 11 }));
  await writeFile(join(repo, "good/no-seed.mjs"), scenarioText({ name: "no-seed", fault: '{ kind: "pause", target: { role: "app", mode: "all" }, at: "10s" }' }));
  await writeFile(join(repo, "bad/misspelt-kind.mjs"), scenarioText({ slo: '{ id: "writes-ok", kind: "availabilty", traffic: "writers", atLeastPercent: 99 }' }));
  await writeFile(join(repo, "bad/secs.mjs"), scenarioText({ name: "secs", fault: '{ kind: "kill", target: { role: "app" }, at: "20 secs" }' }));
  await writeFile(join(repo, "bad/no-default.mjs"), "export const scenario = {};\n");
  await writeFile(join(repo, "names/a.mjs"), scenarioText({ name: "same" }));
  await writeFile(join(repo, "names/b.mjs"), scenarioText({ name: "same" }));
});

afterAll(async () => {
  if (repo) await rm(repo, { recursive: true, force: true });
});

describe("checkScenarios", () => {
  it("resolves a valid file's plan: traffic, fault times and the nodes the seed picks, SLO ids", async () => {
    const { files } = await checkScenarios(["good/kill.mjs"], { cwd: repo });
    expect(files).toHaveLength(1);
    const [file] = files;
    expect(file).toMatchObject({ file: "good/kill.mjs", ok: true });
    const plan = file!.plan!;
    expect(plan).toMatchObject({ scenario: "their-scenario", seed: 11, seedFrom: "scenario", trafficEndMs: 90_000, tailMs: 5_000 });
    expect(plan.traffic).toEqual([{ name: "writers", script: "k6", durationMs: 90_000 }]);
    expect(plan.slos).toEqual([{ id: "writes-ok", kind: "availability" }]);
    const [fault] = plan.faults;
    expect(fault).toMatchObject({ id: "kill-app", kind: "kill", atMs: 20_000, healAtMs: 35_000 });
    expect(fault!.targets).toHaveLength(1);
    expect(fault!.targetsText).toBe(`${fault!.targets[0]} (1 of app-1, app-2, app-3, drawn by the seed)`);
  });

  it("uses the seed given, and the same seed gives the same plan", async () => {
    const picks = new Set<string>();
    for (let seed = 0; seed < 12; seed++) {
      const [a] = (await checkScenarios(["good/kill.mjs"], { cwd: repo, seed })).files;
      const [b] = (await checkScenarios(["good/kill.mjs"], { cwd: repo, seed })).files;
      expect(a!.plan!.seedFrom).toBe("option");
      expect(a!.plan!.faults).toEqual(b!.plan!.faults);
      picks.add(a!.plan!.faults[0]!.targets[0]!);
    }
    // The seed really decides: over twelve seeds, more than one node is picked.
    expect(picks.size).toBeGreaterThan(1);
    await expect(checkScenarios(["good"], { cwd: repo, seed: -1 })).rejects.toThrow("seed must be a whole number >= 0, got -1");
  });

  it("shows a scenario without a seed for seed 0, and a fault without `for` healing `tail` before traffic ends", async () => {
    const [file] = (await checkScenarios(["good/no-seed.mjs"], { cwd: repo })).files;
    expect(file!.plan).toMatchObject({ seed: 0, seedFrom: "none" });
    expect(file!.plan!.faults[0]).toMatchObject({ id: "pause-0", atMs: 10_000, healAtMs: 85_000, targets: ["app-1", "app-2", "app-3"], targetsText: "app-1, app-2, app-3" });
  });

  it("says a primary is found at injection", async () => {
    const { files } = await checkScenarios(["scenarios/identity/primary-kill.ts"], { cwd: repoRoot });
    expect(files[0]!.ok).toBe(true);
    expect(files[0]!.plan!.faults.map((f) => f.targetsText)).toContainEqual(expect.stringMatching(/^the primary of \S+, found at injection \(one of .+\)$/));
  });

  it("reports every bad file, each problem on its line, and goes on with the good ones", async () => {
    const { files } = await checkScenarios(["good", "bad", "missing.ts", "nothing/*.ts"], { cwd: repo });
    expect(files.map((f) => [f.file, f.ok])).toEqual([
      ["missing.ts", false],
      ["nothing/*.ts", false],
      ["good/kill.mjs", true],
      ["good/no-seed.mjs", true],
      ["bad/misspelt-kind.mjs", false],
      ["bad/no-default.mjs", false],
      ["bad/secs.mjs", false],
    ]);
    const byFile = Object.fromEntries(files.map((f) => [f.file, f]));
    expect(byFile["missing.ts"]!.problems).toEqual(['"missing.ts": no such scenario file or folder']);
    expect(byFile["nothing/*.ts"]!.problems).toEqual(['"nothing/*.ts" matches no file']);
    expect(byFile["bad/misspelt-kind.mjs"]!.problems).toEqual(["invalid scenario", expect.stringMatching(/^at slos\[0\]\.kind: unknown kind "availabilty"; did you mean "availability"\?/)]);
    expect(byFile["bad/secs.mjs"]!.problems).toEqual([
      "invalid scenario",
      'at faults[0].at: expected a duration such as "20s", "1m30s" or "500ms"; got "20 secs": write "20s"',
    ]);
    expect(byFile["bad/no-default.mjs"]!.problems).toEqual(['the module has no default export (it exports "scenario")']);
    expect(byFile["bad/no-default.mjs"]!.hint).toContain("export default defineScenario");
  });

  it("refuses two files naming one scenario, as a suite would", async () => {
    const { files } = await checkScenarios(["names"], { cwd: repo });
    expect(files.map((f) => f.ok)).toEqual([true, false]);
    expect(files[1]!.problems).toEqual(['names/a.mjs names its scenario "same" too']);
  });

  it("is what havoc/runner exports", () => {
    expect(checkFromPackage).toBe(checkScenarios);
  });
});

describe("havoc check", () => {
  async function check(...argv: string[]): Promise<{ code: number; stdout: string }> {
    let stdout = "";
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
    const cwd = process.cwd();
    process.chdir(repo);
    try {
      return { code: await main(["check", ...argv]), stdout };
    } finally {
      process.chdir(cwd);
      vi.restoreAllMocks();
    }
  }

  it("prints each plan and exits 0 when every file is valid", async () => {
    const { code, stdout } = await check("good", "--seed", "3");
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok {7}good\/kill\.mjs\n {2}scenario {2}their-scenario\n {2}seed {6}3 \(--seed\)\n {2}traffic {3}writers \(k6, 1m30s\); ends at 1m30s, fault-free tail 5s\n {2}faults {4}id +kind +inject +heal +targets\n {12}kill-app +kill +20s +35s +app-\d \(1 of app-1, app-2, app-3, drawn by the seed\)\n {2}slos {6}writes-ok\n/);
    expect(stdout).toMatch(/\nchecked 2 scenario file\(s\) in \d+\.\d s: all valid; nothing was started\n$/);
  });

  it("reports every invalid file and exits 2", async () => {
    const { code, stdout } = await check("good", "bad");
    expect(code).toBe(2);
    for (const bad of ["bad/misspelt-kind.mjs", "bad/no-default.mjs", "bad/secs.mjs"]) expect(stdout).toContain(`INVALID  ${bad}\n`);
    expect(stdout).toContain('\n  at faults[0].at: expected a duration such as "20s", "1m30s" or "500ms"; got "20 secs": write "20s"\n');
    expect(stdout).toMatch(/\nchecked 5 scenario file\(s\) in \d+\.\d s: 3 invalid \(bad\/misspelt-kind\.mjs, bad\/no-default\.mjs, bad\/secs\.mjs\), 2 valid\n$/);
  });

  it("prints only problems and the summary with --quiet", async () => {
    expect((await check("good", "--quiet")).stdout).toMatch(/^checked 2 scenario file\(s\) in \d+\.\d s: all valid; nothing was started\n$/);
    const bad = await check("bad/secs.mjs", "good", "--quiet");
    expect(bad.code).toBe(2);
    expect(bad.stdout).not.toContain("ok ");
    expect(bad.stdout).toContain("INVALID  bad/secs.mjs\n");
  });
});
