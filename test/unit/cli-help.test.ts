import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { main } from "../../engine/cli.ts";
import { commands } from "../../engine/commands/all-commands.ts";
import { commandHelp, globalHelp, usageLine } from "../../engine/commands/help.ts";
import { repoRoot } from "../support/run-cli.ts";

/** Runs main() on an argv, capturing what it writes. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

describe("help texts", () => {
  it("lists every command with its summary", () => {
    const text = globalHelp(commands);
    for (const c of commands) expect(text).toMatch(new RegExp(`^  ${c.name} +${c.summary.slice(0, 20).replace(/[()]/g, "\\$&")}`, "m"));
    expect(text).toContain("usage: havoc <command> [arguments] [options]");
    expect(text).toContain("2 bad input");
  });

  it("gives each command its usage, description, options with defaults, examples and exit codes", () => {
    for (const c of commands) {
      const text = commandHelp(c);
      expect(text.startsWith(`havoc ${c.name}: ${c.summary}\n`), c.name).toBe(true);
      expect(text).toContain(`usage: ${usageLine(c)}`);
      for (const [name, spec] of Object.entries(c.flags)) {
        expect(text, `${c.name} --${name}`).toMatch(new RegExp(`^  --${name}${spec.value ? ` ${spec.value}` : ""} +\\S`, "m"));
        if (spec.default) expect(text.replace(/\s+/g, " "), `${c.name} --${name} default`).toContain(`default: ${spec.default}`);
      }
      expect(text).toContain("  -h, --help");
      expect(c.examples.length, c.name).toBeGreaterThanOrEqual(1);
      expect(c.examples.length, c.name).toBeLessThanOrEqual(3);
      for (const e of c.examples) expect(text).toContain(`  ${e.command}\n`);
      expect(text).toMatch(/\nexit codes:\n {4}0 {2}/);
      for (const line of text.split("\n")) expect(line.length, `${c.name}: ${line}`).toBeLessThanOrEqual(100);
    }
  });

  it("inlines a short command's options in its usage line, and says [options] for a long one", () => {
    expect(usageLine(commands.find((c) => c.name === "run")!)).toBe("havoc run <scenario file> [--seed N] [--reports DIR] [--host NAME=ENGINE]...");
    expect(usageLine(commands.find((c) => c.name === "suite")!)).toBe("havoc suite <files, folders or globs...> [options]");
  });
});

describe("main", () => {
  it("prints help on stdout with exit 0", async () => {
    for (const argv of [["--help"], ["-h"], ["help"]]) {
      const out = await cli(...argv);
      expect([argv, out.code, out.stderr]).toEqual([argv, 0, ""]);
      expect(out.stdout).toBe(globalHelp(commands));
    }
    for (const argv of [["help", "check"], ["check", "--help"], ["check", "-h"]]) {
      const out = await cli(...argv);
      expect([argv, out.code, out.stderr]).toEqual([argv, 0, ""]);
      expect(out.stdout).toBe(commandHelp(commands.find((c) => c.name === "check")!));
    }
  });

  it("prints a usage error on stderr with exit 2: the problem, the command's usage, where its help is", async () => {
    const out = await cli("run", "x.ts", "--repeat", "3");
    expect(out).toEqual({
      code: 2,
      stdout: "",
      stderr: 'havoc: --repeat is an option of "suite", not of "run"\n  usage: havoc run <scenario file> [--seed N] [--reports DIR] [--host NAME=ENGINE]...\n  more:  havoc help run\n',
    });
    const unknown = await cli("runn", "x.ts");
    expect(unknown).toEqual({ code: 2, stdout: "", stderr: 'havoc: unknown command "runn"; did you mean "run"?\n  run `havoc help` for the commands\n' });
    const none = await cli();
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(`havoc: no command given\n${globalHelp(commands)}`);
  });

  it("prints the version", async () => {
    expect((await cli("--version")).stdout).toMatch(/^havoc \d+\.\d+\.\d+/);
  });
});

describe("bin/havoc.js", () => {
  it("prints the global help on stdout and exits 0", () => {
    const result = spawnSync(process.execPath, [join(repoRoot, "bin/havoc.js"), "--help"], { encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" }, timeout: 60_000 });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(globalHelp(commands));
  });
});
