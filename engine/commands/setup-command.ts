import { ExitCode } from "../../core/errors.ts";
import { defineCommand } from "./command-spec.ts";
import { badInput, environment } from "./exit-codes.ts";

export const setupCommand = defineCommand({
  name: "setup",
  summary: "install and build what runs need (idempotent)",
  arguments: "[files, folders or globs...]",
  arity: { min: 0, max: Number.POSITIVE_INFINITY, problem: "" },
  description:
    "Installs or builds whatever is missing: the container engine, the base image, k6, toxiproxy, chromium, the network tools, havoc's own tool images, and the images of the scenarios named (each file loaded and validated first). What is present and current is left alone, so it is safe to run before every CI job.",
  flags: {},
  examples: [
    { command: "havoc setup", what: "the tools and havoc's own images" },
    { command: "havoc setup scenarios", what: "also build the images every scenario under scenarios/ needs" },
  ],
  exitCodes: [[0, "everything is present"], badInput, environment],
  async run({ positionals }) {
    const [{ ensureEnvironment }, { toolImages, imagesForNodes }, { loadScenarioFile }, { expandScenarioPaths }, { log }] = await Promise.all([
      import("../../env/bootstrap/ensure-environment.ts"),
      import("../../env/images/images.ts"),
      import("../../scenario/load-scenario.ts"),
      import("../suite/select-scenarios.ts"),
      import("../../core/log.ts"),
    ]);
    if (positionals.length > 0) await (await import("./typescript-imports.ts")).enableTypeScriptImports();
    // The images come from the scenarios named (their nodes' builds); havoc keeps no list of systems.
    let images = [...toolImages];
    if (positionals.length > 0) {
      const nodes = [];
      for (const file of await expandScenarioPaths(positionals, process.cwd())) nodes.push(...(await loadScenarioFile(file)).topology.nodes);
      const needed = imagesForNodes(nodes);
      images = needed.filter((spec, i) => needed.findIndex((other) => other.tag === spec.tag) === i);
    }
    await ensureEnvironment({ docker: true, baseImage: true, k6: true, toxiproxy: true, chromium: true, netTools: true, porcupine: true, lazyfs: true, actionlint: positionals.length === 0, images }, log);
    return ExitCode.pass;
  },
});
