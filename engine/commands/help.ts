import type { CommandSpec } from "./command-spec.ts";

/** Help texts, made from the commands' specs so that help, parsing and did-you-mean never disagree. */

const width = 100;

/** Words wrapped to `width`, every line after the first indented by `indent` spaces. */
function wrap(text: string, indent: number, firstLineUsed = indent): string {
  const lines: string[] = [];
  let line = "";
  let room = width - firstLineUsed;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line !== "" && line.length + 1 + word.length > room) {
      lines.push(line);
      line = word;
      room = width - indent;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join(`\n${" ".repeat(indent)}`);
}

/** "--seed N", "--all", "--tag T (repeatable)". */
function flagLabel(name: string, spec: CommandSpec["flags"][string]): string {
  return `--${name}${spec.value ? ` ${spec.value}` : ""}`;
}

/** `havoc run <scenario file> [--seed N] [--reports DIR]`, or `[options]` where the flags would not fit. */
export function usageLine(command: CommandSpec): string {
  const head = `havoc ${command.name}${command.arguments ? ` ${command.arguments}` : ""}`;
  const flags = Object.entries(command.flags).map(([name, spec]) => `[${flagLabel(name, spec)}]${spec.multiple ? "..." : ""}`);
  const full = [head, ...flags].join(" ");
  return full.length <= width - 9 ? full : `${head} [options]`;
}

export function commandHelp(command: CommandSpec): string {
  const out = [`havoc ${command.name}: ${command.summary}`, "", `usage: ${usageLine(command)}`, "", ...command.description.split("\n").map((l) => wrap(l, 0))];
  const flags = Object.entries(command.flags);
  const labels = [...flags.map(([name, spec]) => flagLabel(name, spec)), "-h, --help"];
  const column = Math.max(...labels.map((l) => l.length)) + 4;
  out.push("", "options:");
  for (const [name, spec] of flags) {
    const notes = [spec.multiple ? "repeatable" : "", spec.default ? `default: ${spec.default}` : ""].filter(Boolean).join("; ");
    const text = `${spec.help}${notes ? ` (${notes})` : ""}`;
    out.push(`  ${flagLabel(name, spec).padEnd(column)}${wrap(text, column + 2)}`);
  }
  out.push(`  ${"-h, --help".padEnd(column)}this help`);
  out.push("", "examples:");
  for (const example of command.examples) out.push(`  ${example.command}`, `      ${wrap(example.what, 6)}`);
  out.push("", "exit codes:");
  for (const [code, meaning] of command.exitCodes) out.push(`  ${String(code).padStart(3)}  ${wrap(meaning, 7)}`);
  return out.join("\n") + "\n";
}

export function globalHelp(commands: readonly CommandSpec[]): string {
  const column = Math.max(...commands.map((c) => c.name.length)) + 3;
  return [
    "havoc: chaos engineering and load testing on real containers: real faults, real traffic, SLO verdicts.",
    "",
    "usage: havoc <command> [arguments] [options]",
    "",
    "commands:",
    ...commands.map((c) => `  ${c.name.padEnd(column)}${wrap(c.summary, column + 2)}`),
    "",
    "first steps: havoc check my-scenario.ts (validates it, prints its plan), then havoc run my-scenario.ts",
    "",
    "exit codes (every command): 0 pass, 1 an SLO failed (compare: regressed), 2 bad input (nothing started),",
    "  3 environment or harness error, 4 inconclusive, 5 suite over budget, 130/143 interrupted",
    "",
    "havoc help <command> (or havoc <command> --help) shows a command's arguments, options, examples and",
    "exit codes. havoc --version prints the version.",
  ].join("\n") + "\n";
}

/** What goes to stderr under a usage error: the usage line and where the help is. */
export function usageHint(command: CommandSpec | undefined): string {
  if (!command) return "  run `havoc help` for the commands\n";
  return `  usage: ${usageLine(command)}\n  more:  havoc help ${command.name}\n`;
}
