import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { actionlintPath } from "../../env/bootstrap/go-tools.ts";
import { repoRoot } from "../support/run-cli.ts";

/**
 * The CI workflows, checked by a real linter: actionlint (built from its Go module by `havoc setup`) parses the
 * workflow syntax, type-checks every ${{ }} expression and checks the inputs of the actions it knows. A second case
 * feeds it a broken copy, so this test would notice a linter that accepts anything.
 */

const actionlint = actionlintPath();
const haveActionlint = existsSync(actionlint);
if (!haveActionlint && process.env.HAVOC_REQUIRE_TOOLS) throw new Error(`HAVOC_REQUIRE_TOOLS is set but actionlint is missing at ${actionlint}: run \`havoc setup\``);
if (!haveActionlint) console.warn(`SKIPPED workflow lint: no actionlint at ${actionlint} (run \`havoc setup\`; CI sets HAVOC_REQUIRE_TOOLS)`);
const runIt = haveActionlint ? describe : describe.skip;

const workflowPath = join(repoRoot, ".github/workflows/nightly.yml");

function lint(file: string, cwd: string): { code: number | null; output: string } {
  // -shellcheck= and -pyflakes= off: the result must not depend on which of them a machine happens to have.
  const result = spawnSync(actionlint, ["-no-color", "-shellcheck=", "-pyflakes=", file], { cwd, encoding: "utf8", timeout: 60_000 });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

runIt(".github/workflows/nightly.yml", () => {
  it("passes actionlint", () => {
    const { code, output } = lint(".github/workflows/nightly.yml", repoRoot);
    expect(output).toBe("");
    expect(code).toBe(0);
  });

  it("is what the issue asks for: scheduled, runs the nightly npm script, summary, artifact, junit", () => {
    const text = readFileSync(workflowPath, "utf8");
    expect(text).toMatch(/\n {2}schedule:\n( {4}#.*\n)* {4}- cron: "[^"]+"/);
    expect(text).toContain("run: npm run suite:nightly");
    expect(text).toContain(">> \"$GITHUB_STEP_SUMMARY\"");
    expect(text).toMatch(/uses: actions\/upload-artifact@v\d+\n(.*\n)*? {10}path: havoc-results\/suites\//);
    expect(text).toMatch(/uses: mikepenz\/action-junit-report@v\d+\n(.*\n)*? {10}report_paths: havoc-results\/suites\/\*\/junit\.xml/);
    const scripts = (JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts["suite:nightly"]).toMatch(/havoc\.js suite scenarios /);
  });

  it("a broken copy fails it, naming the line (the linter is really checking)", async () => {
    const dir = await mkdtemp(join(tmpdir(), "havoc-actionlint-"));
    try {
      await mkdir(join(dir, ".github", "workflows"), { recursive: true });
      const broken = readFileSync(workflowPath, "utf8")
        .replace("retention-days: 30", "retention-dayz: 30")
        .replace("key: havoc-suite-history-${{ github.run_id }}", "key: havoc-suite-history-${{ github.run_idd }}");
      await writeFile(join(dir, ".github", "workflows", "nightly.yml"), broken);
      const { code, output } = lint(".github/workflows/nightly.yml", dir);
      expect(code).toBe(1);
      expect(output).toMatch(/input "retention-dayz" is not defined in action "actions\/upload-artifact@v5"/);
      expect(output).toMatch(/property "run_idd" is not defined in object type/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
