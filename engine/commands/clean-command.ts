import { ExitCode } from "../../core/errors.ts";
import { defineCommand } from "./command-spec.ts";
import { environment } from "./exit-codes.ts";
import { hostFlag } from "./host-flags.ts";

export const cleanCommand = defineCommand({
  name: "clean",
  summary: "remove what dead runs left behind (containers, networks, volumes, k6 processes)",
  arguments: "",
  arity: { min: 0, max: 0, problem: "clean takes no arguments" },
  description:
    "Removes the containers, networks and volumes of runs whose process is gone, and stops their k6 processes. Runs still in progress are left alone unless --all is given. Every run sweeps what earlier runs left at its start, so this is only needed to free resources at once. With --host, the same sweep runs on each engine named (the hosts a killed run used: its nodes and generators there, its overlay networks).",
  flags: {
    all: { kind: "boolean", help: "remove every havoc resource, also those of runs still in progress" },
    host: hostFlag,
  },
  examples: [
    { command: "havoc clean", what: "sweep what killed runs left" },
    { command: "havoc clean --all", what: "remove everything havoc started, running or not" },
    { command: "havoc clean --host east=tcp://10.0.0.5:2376", what: "also sweep what killed runs left on the engine of host east" },
  ],
  exitCodes: [[0, "swept"], environment],
  async run({ flags }) {
    const [{ ensureEnvironment }, { sweepOrphans }, { killOrphanLoad }, { log }, { parseHostFlags }, { connectEngines }, { Hosts, LOCAL_HOST }] = await Promise.all([
      import("../../env/bootstrap/ensure-environment.ts"),
      import("../../env/docker/sweep.ts"),
      import("../../env/processes/orphan-load.ts"),
      import("../../core/log.ts"),
      import("./host-flags.ts"),
      import("../../env/docker/connect-engines.ts"),
      import("../../core/hosts.ts"),
    ]);
    const hosts = Hosts.parse(parseHostFlags(flags.host));
    await ensureEnvironment({ docker: true }, log);
    // Each named engine must answer; no swarm is needed to sweep (each engine is asked for what it holds).
    const engines = await connectEngines({ hosts, used: new Set([LOCAL_HOST]), spansHosts: false });
    const swept = await sweepOrphans({ all: flags.all === true, engines });
    const load = await killOrphanLoad({ all: flags.all === true });
    if (load.length > 0) log.info(`stopped k6 processes of run(s) ${load.join(", ")}`);
    const byHost = swept.byHost ? ` (${Object.entries(swept.byHost).map(([h, c]) => `${h}: ${c.containers} container(s), ${c.networks} network(s)`).join("; ")})` : "";
    log.info(`removed ${swept.containers} container(s), ${swept.networks} network(s), ${swept.volumes} volume(s) of ${swept.runs.length} run(s)${byHost}`);
    return ExitCode.pass;
  },
});
