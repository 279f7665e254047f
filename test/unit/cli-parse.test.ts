import { describe, expect, it } from "vitest";
import { commands } from "../../engine/commands/all-commands.ts";
import { parseCommandLine, type CommandLine } from "../../engine/commands/parse-command-line.ts";

const parse = (...argv: string[]) => parseCommandLine(argv, commands);

/** The message of a usage error; fails the test when the line parsed. */
function problem(...argv: string[]): string {
  const line = parse(...argv);
  if (line.kind !== "error") throw new Error(`${argv.join(" ")} parsed as ${line.kind}`);
  return line.message;
}

function parsed(...argv: string[]): Extract<CommandLine, { kind: "command" }>["parsed"] {
  const line = parse(...argv);
  if (line.kind !== "command") throw new Error(`${argv.join(" ")}: ${line.kind === "error" ? line.message : line.kind}`);
  return line.parsed;
}

describe("the command line: commands and help", () => {
  it("answers --help, -h and help with the global help, and help <command> or <command> --help with the command's", () => {
    expect(parse("--help")).toEqual({ kind: "help" });
    expect(parse("-h")).toEqual({ kind: "help" });
    expect(parse("help")).toEqual({ kind: "help" });
    expect(parse("help", "run")).toEqual({ kind: "help", command: "run" });
    expect(parse("--help", "suite")).toEqual({ kind: "help", command: "suite" });
    expect(parse("run", "--help")).toEqual({ kind: "help", command: "run" });
    expect(parse("check", "scenarios", "-h")).toEqual({ kind: "help", command: "check" });
    // Help wins over what else is wrong on the line: the reader is asking how to write it.
    expect(parse("run", "a.ts", "b.ts", "--seeed", "3", "--help")).toEqual({ kind: "help", command: "run" });
    expect(parse("help", "--help")).toEqual({ kind: "help" });
    expect(parse("--version")).toEqual({ kind: "version" });
  });

  it("takes --help after -- as an argument, not a request for help", () => {
    expect(parsed("check", "--", "--help").positionals).toEqual(["--help"]);
  });

  it("suggests the command meant", () => {
    expect(problem("runn", "x.ts")).toBe('unknown command "runn"; did you mean "run"?');
    expect(problem("repot", "dir")).toBe('unknown command "repot"; did you mean "report"?');
    expect(problem("chekc")).toBe('unknown command "chekc"; did you mean "check"?');
    expect(problem("help", "suit")).toBe('unknown command "suit"; did you mean "suite"?');
    expect(problem("frobnicate")).toBe('unknown command "frobnicate"');
    expect(problem("scenarios/x.ts")).toBe('unknown command "scenarios/x.ts"; to run a scenario file: havoc run scenarios/x.ts (or check it first: havoc check scenarios/x.ts)');
    expect(parse()).toMatchObject({ kind: "error", message: "no command given", globalHelp: true });
  });

  it("says an option goes after the command", () => {
    expect(problem("--seed", "3", "run", "x.ts")).toBe('--seed goes after the command: it is an option of "run", "check", "suite", "explore" and "demo", e.g. havoc run ... --seed');
    expect(problem("--hepl")).toBe('unknown option "--hepl"; did you mean "--help"?');
  });
});

describe("the command line: options", () => {
  it("reads each command's options by kind", () => {
    expect(parsed("run", "x.ts", "--seed", "7", "--reports", "/tmp/r")).toMatchObject({ positionals: ["x.ts"], flags: { seed: 7, reports: "/tmp/r" } });
    expect(parsed("run", "x.ts", "--seed=7").flags).toEqual({ seed: 7 });
    expect(parsed("clean", "--all").flags).toEqual({ all: true });
    const suite = parsed("suite", "scenarios", "--tag", "gate", "--tag", "pgha", "--budget", "1h30m", "--repeat", "3", "--tolerance-points", "0.25");
    expect(suite.flags).toEqual({ tag: ["gate", "pgha"], budget: 5_400_000, repeat: 3, "tolerance-points": 0.25 });
    expect(suite.text).toEqual({ tag: ["gate", "pgha"], budget: "1h30m", repeat: "3", "tolerance-points": "0.25" });
    expect(parsed("check", "a.ts", "b", "'c/*.ts'").positionals).toEqual(["a.ts", "b", "'c/*.ts'"]);
  });

  it("suggests the option meant, quoted", () => {
    expect(problem("run", "x.ts", "--seeed", "3")).toBe('unknown option "--seeed"; did you mean "--seed"?');
    expect(problem("clean", "--al")).toBe('unknown option "--al"; did you mean "--all"?');
    expect(problem("suite", "scenarios", "--random-seed")).toBe('unknown option "--random-seed"; did you mean "--random-seeds"?');
    expect(problem("suite", "scenarios", "--exclude-tags", "slow")).toBe('unknown option "--exclude-tags"; did you mean "--exclude-tag"?');
    expect(problem("run", "x.ts", "--hlep")).toBe('unknown option "--hlep"; did you mean "--help"?');
  });

  it("refuses an option of another command, naming the commands it belongs to", () => {
    expect(problem("run", "x.ts", "--repeat", "3")).toBe('--repeat is an option of "suite", not of "run"');
    expect(problem("run", "x.ts", "--tolerance-points", "1")).toBe('--tolerance-points is an option of "suite" and "compare", not of "run"');
    expect(problem("doctor", "--seed", "1")).toBe('--seed is an option of "run", "check", "suite", "explore" and "demo", not of "doctor"');
    expect(problem("run", "x.ts", "--repaet", "3")).toBe('unknown option "--repaet"; did you mean "--repeat"? (an option of "suite", not of "run")');
  });

  it("lists what a command takes when nothing is near", () => {
    expect(problem("run", "x.ts", "--frobnicate")).toBe('unknown option "--frobnicate"; "run" takes --seed, --reports, --host');
    expect(problem("doctor", "--frobnicate")).toBe('unknown option "--frobnicate"; "doctor" takes no options');
  });

  it("reads a negative number as the option's value and says what is wrong with it", () => {
    expect(problem("run", "x.ts", "--seed", "-3")).toBe('--seed must be a whole number >= 0, got "-3"');
    expect(problem("run", "x.ts", "--seed=-3")).toBe('--seed must be a whole number >= 0, got "-3"');
    expect(problem("run", "x.ts", "--seed", "1.5")).toBe('--seed must be a whole number >= 0, got "1.5"');
    expect(problem("run", "x.ts", "--seed", "")).toBe('--seed must be a whole number >= 0, got ""');
    expect(problem("suite", "s", "--repeat", "0")).toBe('--repeat must be a whole number >= 1, got "0"');
    expect(problem("compare", "a", "b", "--tolerance-points", "-1")).toBe('--tolerance-points must be a number >= 0, got "-1"');
  });

  it("says what a duration option expected, in the writer's units", () => {
    expect(problem("suite", "s", "--budget", "20 secs")).toBe('--budget: expected a duration such as "20s", "1m30s" or "500ms"; got "20 secs": write "20s"');
    expect(problem("suite", "s", "--budget", "90")).toMatch(/got "90": a string needs a unit/);
  });

  it("asks for a missing value, and refuses a value on a switch and an option given twice", () => {
    expect(problem("run", "x.ts", "--seed")).toBe("--seed needs a value: --seed N");
    expect(problem("run", "x.ts", "--seed", "--reports", "r")).toBe("--seed needs a value: --seed N");
    expect(problem("clean", "--all=yes")).toBe('--all takes no value, got "--all=yes"');
    expect(problem("run", "x.ts", "--seed", "1", "--seed", "2")).toBe('--seed given twice ("1" and "2"); give it once');
  });

  it("knows only -h as a short option", () => {
    expect(problem("run", "x.ts", "-s", "3")).toBe('unknown option "-s"; did you mean "--seed"?');
    expect(problem("suite", "x", "-r")).toBe('unknown option "-r"; options are written in full (--seed), only -h is short');
  });

  it("counts the arguments", () => {
    expect(problem("run")).toBe("run takes exactly one scenario file, got none");
    expect(problem("run", "a.ts", "b.ts")).toBe("run takes exactly one scenario file, got 2: a.ts b.ts");
    expect(problem("compare", "onlyone")).toBe("compare takes a baseline and a candidate run directory, got 1: onlyone");
    expect(problem("check")).toBe("check takes at least one scenario file, folder or glob, got none");
    expect(problem("doctor", "now")).toBe("doctor takes no arguments, got 1: now");
    expect(parse("run", "a.ts")).toMatchObject({ kind: "command", command: { name: "run" } });
  });

  it("has every option of every command documented, and one table per command", () => {
    for (const command of commands)
      for (const [name, spec] of Object.entries(command.flags)) {
        expect(name, command.name).toMatch(/^[a-z][a-z-]*$/);
        expect(spec.help.length, `${command.name} --${name}`).toBeGreaterThan(10);
        expect(spec.kind === "boolean" || spec.value !== undefined, `${command.name} --${name} names its value`).toBe(true);
      }
  });
});
