import { checkDuration } from "../../core/duration.ts";
import { nearest } from "../../core/did-you-mean.ts";
import type { CommandSpec, FlagSpec, ParsedCommand } from "./command-spec.ts";

/**
 * Reads `havoc <command> [arguments] [options]` against the commands' flag tables. Our own reader rather than
 * node:util parseArgs: parseArgs takes "-3" after --seed for an option ("ambiguous"), accepts every command's flags
 * for every command, and its messages cannot say which command a flag belongs to or which flag was meant.
 */
export type CommandLine =
  | { kind: "help"; command?: string }
  | { kind: "version" }
  | { kind: "command"; command: CommandSpec; parsed: ParsedCommand }
  /** Bad usage (exit 2): `command` names the command whose usage to show, `globalHelp` asks for the list of commands. */
  | { kind: "error"; message: string; command?: string; globalHelp?: boolean };

const helpTokens = new Set(["--help", "-h"]);
/** A token that is a negative number: an option's value (`--seed -3`), never an option itself. */
const negativeNumber = /^-(\d|\.\d)/;

export function parseCommandLine(argv: readonly string[], commands: readonly CommandSpec[]): CommandLine {
  const [first, ...rest] = argv;
  if (first === undefined) return { kind: "error", message: "no command given", globalHelp: true };
  if (first === "--version") return { kind: "version" };
  if (helpTokens.has(first) || first === "help") {
    const [topic, ...extra] = rest;
    if (topic === undefined || helpTokens.has(topic)) return { kind: "help" };
    const named = commands.find((c) => c.name === topic);
    if (!named) return unknownCommand(topic!, commands);
    if (extra.length > 0) return { kind: "error", message: `help takes one command, got ${rest.length}: ${rest.join(" ")}`, command: "help" };
    return { kind: "help", command: named.name };
  }
  if (first.startsWith("-")) return optionBeforeCommand(first, commands);
  const command = commands.find((c) => c.name === first);
  if (!command) return unknownCommand(first, commands);
  // Help wins over everything else on the line: the reader asking for it has not got the line right yet.
  const endOfOptions = rest.indexOf("--");
  if ((endOfOptions < 0 ? rest : rest.slice(0, endOfOptions)).some((t) => helpTokens.has(t))) return { kind: "help", command: command.name };
  return parseCommandArgs(command, rest, argv, commands);
}

function parseCommandArgs(command: CommandSpec, args: readonly string[], argv: readonly string[], commands: readonly CommandSpec[]): CommandLine {
  const positionals: string[] = [];
  const flags: Record<string, string | string[] | number | boolean> = {};
  const text: Record<string, string | string[]> = {};
  const fail = (message: string): CommandLine => ({ kind: "error", message, command: command.name });
  for (let i = 0; i < args.length; i++) {
    const token = args[i]!;
    if (token === "--") {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (!token.startsWith("-") || token === "-" || negativeNumber.test(token)) {
      positionals.push(token);
      continue;
    }
    if (!token.startsWith("--")) return fail(unknownShortOption(token, command));
    const equals = token.indexOf("=");
    const name = token.slice(2, equals < 0 ? undefined : equals);
    const inline = equals < 0 ? undefined : token.slice(equals + 1);
    const spec = Object.hasOwn(command.flags, name) ? command.flags[name] : undefined;
    if (!spec) return fail(unknownOption(name, command, commands));
    if (spec.kind === "boolean") {
      if (inline !== undefined) return fail(`--${name} takes no value, got "${token}"`);
      flags[name] = true;
      text[name] = "true";
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = args[i + 1];
      if (next === undefined || next === "--" || (next.startsWith("-") && !negativeNumber.test(next))) return fail(`--${name} needs a value: --${name} ${spec.value ?? "VALUE"}`);
      value = next;
      i++;
    }
    const read = readValue(name, spec, value);
    if (typeof read === "object") return fail(read.problem);
    if (spec.multiple) {
      flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
      text[name] = [...((text[name] as string[] | undefined) ?? []), value];
    } else {
      if (text[name] !== undefined) return fail(`--${name} given twice ("${String(text[name])}" and "${value}"); give it once`);
      flags[name] = read;
      text[name] = value;
    }
  }
  const { min, max, problem } = command.arity;
  if (positionals.length < min || positionals.length > max) {
    const got = positionals.length === 0 ? "got none" : `got ${positionals.length}: ${positionals.join(" ")}`;
    return fail(`${problem}, ${got}`);
  }
  return { kind: "command", command, parsed: { positionals, flags, text, argv } };
}

/** A flag's value as its kind reads it, or what is wrong with it. */
function readValue(name: string, spec: FlagSpec, value: string): string | number | { problem: string } {
  switch (spec.kind) {
    case "text":
    case "boolean":
      return value;
    case "whole": {
      const min = spec.min ?? 0;
      const n = Number(value);
      return value.trim() !== "" && Number.isInteger(n) && n >= min ? n : { problem: `--${name} must be a whole number >= ${min}, got "${value}"` };
    }
    case "number": {
      const n = Number(value);
      return value.trim() !== "" && Number.isFinite(n) && n >= 0 ? n : { problem: `--${name} must be a number >= 0, got "${value}"` };
    }
    case "duration": {
      const checked = checkDuration(value);
      return checked.ok ? checked.ms : { problem: `--${name}: ${checked.message}` };
    }
  }
}

/** The commands other than `command` that have a flag of this name. */
function ownersOf(name: string, commands: readonly CommandSpec[], except?: CommandSpec): string[] {
  return commands.filter((c) => c !== except && Object.hasOwn(c.flags, name)).map((c) => `"${c.name}"`);
}

const listed = (names: readonly string[]) => (names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`);

/** `--repeat is an option of "suite", not of "run"`, or the flag probably meant, or what the command takes. */
export function unknownOption(name: string, command: CommandSpec, commands: readonly CommandSpec[]): string {
  const owners = ownersOf(name, commands, command);
  if (owners.length > 0) return `--${name} is an option of ${listed(owners)}, not of "${command.name}"`;
  const own = [...Object.keys(command.flags), "help"];
  const meant = nearest(name, own);
  if (meant) return `unknown option "--${name}"; did you mean "--${meant}"?`;
  const elsewhere = nearest(name, new Set(commands.flatMap((c) => Object.keys(c.flags))));
  if (elsewhere) return `unknown option "--${name}"; did you mean "--${elsewhere}"? (an option of ${listed(ownersOf(elsewhere, commands))}, not of "${command.name}")`;
  const takes = Object.keys(command.flags);
  return `unknown option "--${name}"; ${takes.length === 0 ? `"${command.name}" takes no options` : `"${command.name}" takes ${takes.map((f) => `--${f}`).join(", ")}`}`;
}

/** havoc has no short options but -h: `-s` is probably the one long flag of the command starting with s. */
function unknownShortOption(token: string, command: CommandSpec): string {
  const letter = token.slice(1, 2);
  const starting = Object.keys(command.flags).filter((f) => f.startsWith(letter));
  const hint = starting.length === 1 ? `; did you mean "--${starting[0]}"?` : "; options are written in full (--seed), only -h is short";
  return `unknown option "${token}"${hint}`;
}

function unknownCommand(word: string, commands: readonly CommandSpec[]): CommandLine {
  const meant = nearest(word, commands.map((c) => c.name));
  if (meant) return { kind: "error", message: `unknown command "${word}"; did you mean "${meant}"?`, globalHelp: true };
  // A scenario file where the command should be: the reader wanted to run or check it.
  if (/[/\\]|\.(m?ts|m?js)$/.test(word)) return { kind: "error", message: `unknown command "${word}"; to run a scenario file: havoc run ${word} (or check it first: havoc check ${word})`, globalHelp: true };
  return { kind: "error", message: `unknown command "${word}"`, globalHelp: true };
}

function optionBeforeCommand(token: string, commands: readonly CommandSpec[]): CommandLine {
  const name = token.replace(/^--?/, "").split("=")[0]!;
  const owners = ownersOf(name, commands);
  if (token.startsWith("--") && owners.length > 0) return { kind: "error", message: `${token} goes after the command: it is an option of ${listed(owners)}, e.g. havoc ${commands.find((c) => Object.hasOwn(c.flags, name))!.name} ... ${token}`, globalHelp: true };
  const meant = nearest(name, ["help", "version"]);
  return { kind: "error", message: `unknown option "${token}"${meant ? `; did you mean "--${meant}"?` : "; the command comes first: havoc <command> [options]"}`, globalHelp: true };
}
