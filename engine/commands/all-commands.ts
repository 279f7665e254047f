import { ExitCode } from "../../core/errors.ts";
import { checkCommand } from "./check-command.ts";
import { cleanCommand } from "./clean-command.ts";
import { defineCommand, type CommandSpec } from "./command-spec.ts";
import { compareCommandSpec } from "./compare-command.ts";
import { demoCommand } from "./demo-command.ts";
import { doctorCommand } from "./doctor-command.ts";
import { exploreCommand } from "./explore-command.ts";
import { exportCommandSpec } from "./export-command.ts";
import { commandHelp, globalHelp } from "./help.ts";
import { reportCommandSpec } from "./report-command.ts";
import { runCommand } from "./run-command.ts";
import { setupCommand } from "./setup-command.ts";
import { shrinkCommand } from "./shrink-command.ts";
import { suiteCommandSpec } from "./suite-command.ts";

/** `havoc help [command]`: here, beside the list it prints. (The parser also answers --help and -h itself.) */
const helpCommand = defineCommand({
  name: "help",
  summary: "this list, or a command's options, examples and exit codes",
  arguments: "[command]",
  arity: { min: 0, max: 1, problem: "help takes one command" },
  description: "Prints the list of commands, or one command's help: what it does, its options with their defaults, examples and exit codes. `havoc <command> --help` prints the same.",
  flags: {},
  examples: [{ command: "havoc help suite", what: "the options of havoc suite" }],
  exitCodes: [[0, "printed"], [2, "no such command"]],
  async run({ positionals }) {
    const named = commands.find((c) => c.name === positionals[0]);
    process.stdout.write(named ? commandHelp(named) : globalHelp(commands));
    return ExitCode.pass;
  },
});

/** Every command, in the order the global help lists them: the first hour's path first. */
export const commands: readonly CommandSpec[] = [
  runCommand,
  checkCommand,
  suiteCommandSpec,
  exploreCommand,
  shrinkCommand,
  demoCommand,
  setupCommand,
  doctorCommand,
  cleanCommand,
  reportCommandSpec,
  compareCommandSpec,
  exportCommandSpec,
  helpCommand,
];
