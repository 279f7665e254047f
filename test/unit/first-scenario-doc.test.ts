import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

/**
 * docs/first-scenario.md is built from code that runs: its files are examples/first-scenario (compared here, block
 * by block), the scenario passes `havoc check` through bin/havoc.js in a repository of its own (havoc in its
 * node_modules, as the page installs it), and every output the page shows is what havoc prints for that file, or
 * for it with the page's mistakes made.
 */
const root = join(import.meta.dirname, "../..");
const example = join(root, "examples/first-scenario");
const page = readFileSync(join(root, "docs/first-scenario.md"), "utf8");
const scenarioFile = "scenarios/notes-crash.ts";
const scenario = readFileSync(join(example, scenarioFile), "utf8");

/** The page's mistakes, as edits of the scenario: what section 6 describes. */
const mistakes: Record<string, (text: string) => string> = {
  bare: (text) => text.replace('at: "10s", for: "5s"', "at: 10, for: 5"),
  several: (text) =>
    text
      .replace('kill({ role: "app" }, { id: "kill-notes", at: "10s", for: "5s" })', '{ id: "kill-notes", kind: "kil", target: { role: "app" }, at: "10s", for: "5s" }')
      .replace('"../load/writers.k6.ts"', '"./load/writers.k6.ts"')
      .replace('fault: "kill-notes", from', 'fault: "kill-note", from'),
  throw: (text) => text.replace('from "havoc";\n', 'from "havoc";\n\nconst rate = process.env.NOTES_RATE!.trim();\n'),
};

/** Fenced blocks of the page: `lang title="path"` ones by path, and the `text` ones in order. */
function blocks(): { titled: Map<string, string>; text: string[] } {
  const titled = new Map<string, string>();
  const text: string[] = [];
  for (const m of page.matchAll(/^```(\w+)(?: title="([^"]+)")?\n([\s\S]*?)^```$/gm)) {
    if (m[2]) titled.set(m[2], m[3]!);
    else if (m[1] === "text") text.push(m[3]!.trimEnd());
  }
  return { titled, text };
}

const work = mkdtempSync(join(tmpdir(), "havoc-first-scenario-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("docs/first-scenario.md", () => {
  it("shows exactly the files of examples/first-scenario", () => {
    const { titled } = blocks();
    expect([...titled.keys()].sort()).toEqual(["app/Dockerfile", "app/server.py", "load/writers.k6.ts", scenarioFile]);
    for (const [path, text] of titled) expect(text, path).toBe(readFileSync(join(example, path), "utf8"));
  });

  it("shows what havoc check prints for the scenario and for each mistake, through bin/havoc.js in a repository of its own", () => {
    // One folder per variant under one repository (its package.json and node_modules/havoc), checked in one go.
    writeFileSync(join(work, "package.json"), JSON.stringify({ name: "notes", private: true }));
    mkdirSync(join(work, "node_modules"));
    symlinkSync(root, join(work, "node_modules/havoc"), "dir");
    const variants = ["ok", ...Object.keys(mistakes)];
    for (const variant of variants) {
      cpSync(example, join(work, variant), { recursive: true });
      if (variant !== "ok") writeFileSync(join(work, variant, scenarioFile), mistakes[variant]!(scenario));
    }
    const run = spawnSync(process.execPath, [join(root, "bin/havoc.js"), "check", ...variants.map((v) => `${v}/${scenarioFile}`)], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
      timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(2);
    const printed = variants.map((variant) => {
      const block = run.stdout.split(/\n(?=INVALID |ok )/).find((b) => b.includes(` ${variant}/${scenarioFile}\n`));
      expect(block, variant).toBeDefined();
      const lines = block!.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("checked "));
      return lines.join("\n").replaceAll(`${variant}/`, "");
    });
    expect(blocks().text).toEqual(printed);
  });
});
