import { ExitCode } from "../../core/errors.ts";
import { defineCommand } from "./command-spec.ts";
import { badInput } from "./exit-codes.ts";

export const checkCommand = defineCommand({
  name: "check",
  summary: "validate scenario files and print their plans; starts nothing",
  arguments: "<files, folders or globs...>",
  arity: { min: 1, max: Number.POSITIVE_INFINITY, problem: "check takes at least one scenario file, folder or glob" },
  description: [
    "Loads and validates every scenario file named (a folder: every .ts/.mts/.js/.mjs module under it; quote globs: 'scenarios/**/*.ts'), then prints each one's plan for the seed: its traffic classes and their durations, every fault with its inject and heal time and the nodes it hits, its SLOs. Every invalid file is reported, not just the first.",
    "No Docker, no images, no containers: fast enough for a pre-commit hook or a CI lint step. From a test: checkScenarios(paths, { seed }) of havoc/runner.",
  ].join("\n"),
  flags: {
    seed: { kind: "whole", value: "N", help: "resolve the plans for this seed", default: "each scenario's seed, else 0" },
    quiet: { kind: "boolean", help: "print only the invalid files and the summary line" },
  },
  examples: [
    { command: "havoc check scenarios", what: "every scenario under scenarios/, with its plan" },
    { command: "havoc check 'scenarios/**/*kill*.ts' --seed 7", what: "the plans a run with --seed 7 would follow" },
    { command: "havoc check scenarios --quiet", what: "for a pre-commit hook: silent but for problems and one summary line" },
  ],
  exitCodes: [[0, "every file is a valid scenario"], badInput],
  async run({ positionals, flags }) {
    // From before the imports: the time reported is what a pre-commit hook waits, but for Node's own start.
    const startedMs = performance.now();
    const [{ checkScenarios }, { renderCheck }] = await Promise.all([import("./check-scenarios.ts"), import("./check-render.ts")]);
    const { files } = await checkScenarios(positionals, { ...(flags.seed !== undefined ? { seed: flags.seed } : {}) });
    const { text, invalid } = renderCheck(files, performance.now() - startedMs, { quiet: flags.quiet === true });
    process.stdout.write(text);
    return invalid === 0 ? ExitCode.pass : ExitCode.invalidInput;
  },
});
