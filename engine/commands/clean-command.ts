import { ExitCode } from "../../core/errors.ts";
import { defineCommand } from "./command-spec.ts";
import { environment } from "./exit-codes.ts";

export const cleanCommand = defineCommand({
  name: "clean",
  summary: "remove what dead runs left behind (containers, networks, volumes, k6 processes)",
  arguments: "",
  arity: { min: 0, max: 0, problem: "clean takes no arguments" },
  description:
    "Removes the containers, networks and volumes of runs whose process is gone, and stops their k6 processes. Runs still in progress are left alone unless --all is given. Every run sweeps what earlier runs left at its start, so this is only needed to free resources at once.",
  flags: {
    all: { kind: "boolean", help: "remove every havoc resource, also those of runs still in progress" },
  },
  examples: [
    { command: "havoc clean", what: "sweep what killed runs left" },
    { command: "havoc clean --all", what: "remove everything havoc started, running or not" },
  ],
  exitCodes: [[0, "swept"], environment],
  async run({ flags }) {
    const [{ ensureEnvironment }, { sweepOrphans }, { killOrphanLoad }, { log }] = await Promise.all([
      import("../../env/bootstrap/ensure-environment.ts"),
      import("../../env/docker/sweep.ts"),
      import("../../env/processes/orphan-load.ts"),
      import("../../core/log.ts"),
    ]);
    await ensureEnvironment({ docker: true }, log);
    const swept = await sweepOrphans({ all: flags.all === true });
    const load = await killOrphanLoad({ all: flags.all === true });
    if (load.length > 0) log.info(`stopped k6 processes of run(s) ${load.join(", ")}`);
    log.info(`removed ${swept.containers} container(s), ${swept.networks} network(s), ${swept.volumes} volume(s) of ${swept.runs.length} run(s)`);
    return ExitCode.pass;
  },
});
