/**
 * What a `havoc` command is on the command line: its arguments, its flags (one table used for parsing, help and
 * did-you-mean), its help text and its exit codes. A command's file holds only this and a `run` that imports its
 * implementation when called, so `havoc --help` and `havoc check` never load Docker clients or browsers.
 */

/** How a flag's value is read: text as typed, a switch, or a number/duration checked before the command runs. */
export type FlagKind = "text" | "boolean" | "whole" | "number" | "duration";

export interface FlagSpec {
  kind: FlagKind;
  /** One line: what it does. */
  help: string;
  /** The value's name in help and usage ("N", "DIR"); none for a boolean. */
  value?: string;
  /** What happens without it, in words ("the scenario's seed, else a random one"). */
  default?: string;
  /** May be given more than once; the values are collected in order. */
  multiple?: boolean;
  /** Smallest value of a "whole" flag (default 0). */
  min?: number;
}

export type FlagTable = Readonly<Record<string, FlagSpec>>;

type FlagValue<F extends FlagSpec> = FlagKind extends F["kind"]
  ? string | string[] | number | boolean
  : F["kind"] extends "boolean"
  ? boolean
  : F["kind"] extends "text"
    ? F["multiple"] extends true
      ? string[]
      : string
    : number;

/** Parsed flags of a table, by name; a flag not given is absent. Durations are milliseconds. */
export type FlagValues<T extends FlagTable> = { -readonly [K in keyof T]?: FlagValue<T[K]> };

export interface ParsedCommand<T extends FlagTable = FlagTable> {
  positionals: string[];
  flags: FlagValues<T>;
  /** Each flag's text as typed (a multiple flag: every value), for commands that validate their own. */
  text: Partial<Record<keyof T & string, string | string[]>>;
  /** The whole command line after `havoc`, as typed (recorded by suites). */
  argv: readonly string[];
}

export interface CommandSpec<T extends FlagTable = FlagTable> {
  name: string;
  /** One line for the global help. */
  summary: string;
  /** The arguments as the usage line shows them: "<scenario file>", "[files, folders or globs...]". */
  arguments: string;
  /** How many arguments it takes, and what to say when the count is wrong. */
  arity: { min: number; max: number; problem: string };
  /** What it does, a few lines. */
  description: string;
  flags: T;
  examples: readonly { command: string; what: string }[];
  exitCodes: readonly (readonly [number, string])[];
  /** Runs the command; returns the process exit code. Method syntax: a table of commands holds them all as CommandSpec. */
  run(parsed: ParsedCommand<T>): Promise<number>;
}

/** Types a command's spec against its own flag table. */
export function defineCommand<const T extends FlagTable>(spec: CommandSpec<T>): CommandSpec<T> {
  return spec;
}
