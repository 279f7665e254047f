import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { ComposeTopology, isComposeTopology } from "./compose/compose-topology-spec.ts";
import { InputError } from "../core/errors.ts";
import { topologyFromCompose } from "./compose/compose-topology.ts";
import { trafficKindNamed } from "../load/traffic/registry.ts";

/**
 * What a scenario names outside itself, made concrete before validation: a compose file becomes a topology, and
 * every path (build contexts, the user's k6 scripts, the compose file) is taken relative to the scenario file, so a
 * scenario works the same from whatever folder `havoc run` is started. Returns new data; the module's export is
 * left as it was.
 */
export async function resolveScenarioSources(data: unknown, file: string): Promise<unknown> {
  if (typeof data !== "object" || data === null) return data;
  const dir = dirname(resolve(file));
  const scenario = { ...(data as Record<string, unknown>) };
  if (isComposeTopology(scenario.topology)) {
    const parsed = ComposeTopology.safeParse(scenario.topology);
    if (!parsed.success) {
      const lines = parsed.error.issues.map((i) => `  at topology.${i.path.map(String).join(".")}: ${i.message}`);
      throw new InputError(`${file}: invalid compose topology\n${lines.join("\n")}`, "fix the fields listed above; nothing was started");
    }
    scenario.topology = await topologyFromCompose(parsed.data, dir);
  }
  const problems: string[] = [];
  const topology = scenario.topology as { nodes?: unknown } | undefined;
  if (topology && Array.isArray(topology.nodes)) {
    topology.nodes = topology.nodes.map((node: unknown, i) => {
      const build = (node as { build?: { context?: unknown; dockerfile?: unknown } } | null)?.build;
      if (typeof build !== "object" || build === null || typeof build.context !== "string") return node;
      const context = resolve(dir, build.context);
      const dockerfile = typeof build.dockerfile === "string" ? build.dockerfile : "Dockerfile";
      if (!existsSync(context) || !statSync(context).isDirectory()) problems.push(`topology.nodes[${i}].build.context: no such folder ${context}`);
      else if (!isAbsolute(dockerfile) && !existsSync(join(context, dockerfile))) problems.push(`topology.nodes[${i}].build.dockerfile: no ${dockerfile} in ${context}`);
      return { ...(node as object), build: { ...build, context } };
    });
  }
  // A host's TLS files are on this machine, relative to the scenario file like every other path.
  if (typeof scenario.hosts === "object" && scenario.hosts !== null) {
    scenario.hosts = Object.fromEntries(
      Object.entries(scenario.hosts as Record<string, unknown>).map(([name, host]) => {
        const tls = (host as { tls?: Record<string, unknown> } | null)?.tls;
        if (typeof tls !== "object" || tls === null) return [name, host];
        const resolved = { ...tls };
        for (const key of ["ca", "cert", "key"] as const) {
          if (typeof tls[key] !== "string") continue;
          resolved[key] = resolve(dir, tls[key]);
          if (!existsSync(resolved[key] as string)) problems.push(`hosts.${name}.tls.${key}: no such file ${resolved[key] as string}`);
        }
        return [name, { ...(host as object), tls: resolved }];
      }),
    );
  }
  if (Array.isArray(scenario.traffic)) {
    // Each kind names the fields that hold files (a k6 script, a journey module).
    scenario.traffic = scenario.traffic.map((t: unknown, i) => {
      const c = t as Record<string, unknown> | null;
      const kind = trafficKindNamed(c?.script);
      if (!c || !kind) return t;
      const resolved = { ...c };
      for (const field of kind.files) {
        if (typeof c[field] !== "string") continue;
        const path = resolve(dir, c[field]);
        if (!existsSync(path)) problems.push(`traffic[${i}].${field}: no such file ${path}`);
        resolved[field] = path;
      }
      return resolved;
    });
  }
  if (problems.length > 0) throw new InputError(`${file}: missing files\n${problems.map((p) => `  at ${p}`).join("\n")}`, "paths in a scenario are relative to the scenario file; nothing was started");
  return scenario;
}
