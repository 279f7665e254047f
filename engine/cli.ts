import { readFileSync } from "node:fs";
import { ExitCode, HavocError, errorMessage } from "../core/errors.ts";
import { commands } from "./commands/all-commands.ts";
import { commandHelp, globalHelp, usageHint } from "./commands/help.ts";
import { parseCommandLine } from "./commands/parse-command-line.ts";

/**
 * `havoc <command> [arguments] [options]`: reads the command line against the commands' tables
 * (engine/commands/*-command.ts) and runs the command. Returns the process exit code; errors print one clear
 * message, never a stack trace (HAVOC_DEBUG=1 adds it for an internal error).
 */
export async function main(argv: string[]): Promise<number> {
  const line = parseCommandLine(argv, commands);
  switch (line.kind) {
    case "help": {
      const command = commands.find((c) => c.name === line.command);
      process.stdout.write(command ? commandHelp(command) : globalHelp(commands));
      return ExitCode.pass;
    }
    case "version":
      process.stdout.write(`havoc ${packageVersion()}\n`);
      return ExitCode.pass;
    case "error": {
      const command = commands.find((c) => c.name === line.command);
      process.stderr.write(`havoc: ${line.message}\n${line.globalHelp && argv.length === 0 ? globalHelp(commands) : usageHint(command)}`);
      return ExitCode.invalidInput;
    }
    case "command":
      try {
        return await line.command.run(line.parsed);
      } catch (error) {
        return reportError(error);
      }
  }
}

function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: unknown };
  return String(manifest.version);
}

function reportError(error: unknown): number {
  if (error instanceof HavocError) {
    process.stderr.write(`havoc: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  hint: ${error.hint}\n`);
    return error.exitCode;
  }
  process.stderr.write(`havoc: internal error: ${errorMessage(error)}\n`);
  if (process.env.HAVOC_DEBUG) process.stderr.write(`${(error as Error).stack ?? ""}\n`);
  return ExitCode.environment;
}
