import { ExitCode } from "../../core/errors.ts";
import { defineCommand } from "./command-spec.ts";

export const doctorCommand = defineCommand({
  name: "doctor",
  summary: "show what is present and what is missing; installs nothing",
  arguments: "",
  arity: { min: 0, max: 0, problem: "doctor takes no arguments" },
  description: "Checks the container engine, the base image, the Go toolchain, k6, toxiproxy, chromium, actionlint, the network tools and havoc's own images, one line each, and says what `havoc setup` would install. Changes nothing.",
  flags: {},
  examples: [{ command: "havoc doctor || havoc setup", what: "install only when something is missing" }],
  exitCodes: [
    [0, "everything is present"],
    [3, "something is missing (the lines marked MISSING): run havoc setup"],
  ],
  async run() {
    const [{ doctorReport }, { toolImages }] = await Promise.all([import("../../env/bootstrap/ensure-environment.ts"), import("../../env/images/images.ts")]);
    const lines = await doctorReport([...toolImages]);
    for (const line of lines) process.stdout.write(`${line.present ? "ok     " : "MISSING"}  ${line.step.padEnd(14)} ${line.detail}\n`);
    const missing = lines.filter((l) => !l.present).length;
    process.stdout.write(missing === 0 ? "everything is present\n" : `${missing} missing: run \`havoc setup\` (or npm test / npm run demo, which set up what they need)\n`);
    // Non-zero when anything is missing, so that `havoc doctor || havoc setup` and CI steps can act on it.
    return missing === 0 ? ExitCode.pass : ExitCode.environment;
  },
});
