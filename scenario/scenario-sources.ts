import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { ComposeTopology, isComposeTopology } from "./compose/compose-topology-spec.ts";
import { InputError } from "../core/errors.ts";
import { topologyFromCompose } from "./compose/compose-topology.ts";
import { teachingErrorMap } from "./issue-messages.ts";
import { displayPath, nearbyPath } from "./nearby-path.ts";
import { trafficKindNamed } from "../load/traffic/registry.ts";

/** A problem found while resolving what the scenario names: where in the scenario, and what is wrong. */
export interface SourceIssue {
  path: (string | number)[];
  message: string;
}

export interface ResolvedSources {
  /** The scenario with its compose topology read and its paths made absolute. */
  data: unknown;
  /** Files and folders that are not there, a compose reference that cannot be read: reported with the schema's problems. */
  issues: SourceIssue[];
  /** Top-level parts whose problems are all in `issues` (a compose topology that could not be read): the schema is not to report them again. */
  reported: string[];
}

/**
 * What a scenario names outside itself, made concrete before validation: a compose file becomes a topology, and
 * every path (build contexts, the user's k6 scripts, the compose file) is taken relative to the scenario file, so a
 * scenario works the same from whatever folder `havoc run` is started. Returns new data; the module's export is
 * left as it was. A missing file is an issue, not a throw, so that it is reported with every other problem of the
 * file in one pass.
 */
export async function resolveScenarioSources(data: unknown, file: string): Promise<ResolvedSources> {
  if (typeof data !== "object" || data === null) return { data, issues: [], reported: [] };
  const dir = dirname(resolve(file));
  const scenario = { ...(data as Record<string, unknown>) };
  const issues: SourceIssue[] = [];
  const reported: string[] = [];
  if (isComposeTopology(scenario.topology)) {
    const parsed = ComposeTopology.safeParse(scenario.topology, { error: teachingErrorMap });
    if (!parsed.success) {
      issues.push(...parsed.error.issues.map((i) => ({ path: ["topology", ...i.path.map((k) => (typeof k === "number" ? k : String(k)))], message: i.message })));
      scenario.topology = undefined;
      reported.push("topology");
    } else if (!existsSync(resolve(dir, parsed.data.compose))) {
      const composePath = resolve(dir, parsed.data.compose);
      issues.push({ path: ["topology", "compose"], message: `no such compose file ${displayPath(composePath)} ${relativeNote(parsed.data.compose)}${nearbyHint(dir, parsed.data.compose)}` });
      scenario.topology = undefined;
      reported.push("topology");
    } else {
      try {
        scenario.topology = await topologyFromCompose(parsed.data, dir);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        // The compose file's own problems (missing, not YAML, unsupported keys): one issue per line, under topology.compose.
        const [first, ...rest] = error.message.split("\n");
        issues.push({ path: ["topology", "compose"], message: `${first}${error.hint ? ` (${error.hint})` : ""}` });
        issues.push(...rest.map((line) => ({ path: ["topology", "compose"], message: line.trim().replace(/^at /, "") })));
        scenario.topology = undefined;
        reported.push("topology");
      }
    }
  }
  const topology = scenario.topology as { nodes?: unknown } | undefined;
  if (topology && Array.isArray(topology.nodes)) {
    topology.nodes = topology.nodes.map((node: unknown, i) => {
      const build = (node as { build?: { context?: unknown; dockerfile?: unknown } } | null)?.build;
      if (typeof build !== "object" || build === null || typeof build.context !== "string") return node;
      const context = resolve(dir, build.context);
      const dockerfile = typeof build.dockerfile === "string" ? build.dockerfile : "Dockerfile";
      if (!existsSync(context) || !statSync(context).isDirectory())
        issues.push({ path: ["topology", "nodes", i, "build", "context"], message: `no such folder ${displayPath(context)} ${relativeNote(build.context)}${nearbyHint(dir, build.context)}` });
      else if (!isAbsolute(dockerfile) && !existsSync(join(context, dockerfile))) issues.push({ path: ["topology", "nodes", i, "build", "dockerfile"], message: `no ${dockerfile} in ${displayPath(context)}` });
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
          if (!existsSync(resolved[key] as string)) issues.push({ path: ["hosts", name, "tls", key], message: `no such file ${displayPath(resolved[key] as string)} ${relativeNote(tls[key] as string)}` });
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
        if (!existsSync(path)) issues.push({ path: ["traffic", i, field], message: `no such file ${displayPath(path)} ${relativeNote(c[field])}${nearbyHint(dir, c[field])}` });
        resolved[field] = path;
      }
      return resolved;
    });
  }
  return { data: scenario, issues, reported };
}

/** `(the path "../api" is relative to the scenario file)`: where the path was taken from. */
function relativeNote(written: string): string {
  return isAbsolute(written) ? `(written "${written}")` : `(the path "${written}" is relative to the scenario file)`;
}

/** `; did you mean "../load/writers.k6.js"?` when the path names something that is there from a folder further up. */
function nearbyHint(dir: string, written: string): string {
  const meant = nearbyPath(dir, written);
  return meant ? `; did you mean "${meant}"?` : "";
}
