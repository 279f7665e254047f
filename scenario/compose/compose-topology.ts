import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { z } from "zod";
import type { ComposeNodeOverrides, ComposeTopology } from "./compose-topology-spec.ts";
import { InputError } from "../../core/errors.ts";
import type { NodeSpecInput } from "../../core/topology.ts";
import { ComposeFile, unsupportedKeys, type ComposeService } from "./compose-file.ts";

/** Network a service joins when it names none (compose's own default network is called "default" too). */
const DEFAULT_NETWORK = "default";
/** Havoc's ready deadline when the healthcheck says nothing about its timing. */
const DEFAULT_READY_TIMEOUT_MS = 60_000;

/** Topology input (to be validated with the rest of the scenario) built from a compose reference. */
export interface TopologyInputFromCompose {
  networks: string[];
  nodes: NodeSpecInput[];
  links: unknown[];
  roles: unknown;
  probes: unknown[];
  probeSettings?: unknown;
}

/**
 * Reads the compose file a scenario's `topology.compose` names (relative to `baseDir`, the scenario's folder) and
 * builds havoc's topology from it: services -> nodes, build contexts relative to the compose file, environment (map
 * or list), container ports (published on 127.0.0.1 at per-run host ports: the host port the file asks for is
 * never used, so two runs never collide), networks, healthchecks -> exec ready probes, depends_on -> dependsOn.
 * The scenario's `nodes`, `links`, `roles` and `probes` go on top.
 */
export async function topologyFromCompose(spec: ComposeTopology, baseDir: string): Promise<TopologyInputFromCompose> {
  const file = resolve(baseDir, spec.compose);
  if (!existsSync(file)) throw new InputError(`${spec.compose}: no such compose file (looked at ${file})`, "give the compose file's path relative to the scenario file");
  const compose = parseComposeText(await readFile(file, "utf8"), file);
  const composeDir = dirname(file);
  const serviceNames = spec.services ?? Object.keys(compose.services);
  const problems: string[] = [];
  for (const name of spec.services ?? []) if (!compose.services[name]) problems.push(`topology.services: no service "${name}" in ${file} (services: ${Object.keys(compose.services).join(", ")})`);
  for (const name of Object.keys(spec.nodes)) if (!serviceNames.includes(name)) problems.push(`topology.nodes.${name}: no such service among ${serviceNames.join(", ")}`);
  if (problems.length > 0) throw new InputError(`scenario: compose topology does not match ${file}\n${problems.map((p) => `  at ${p}`).join("\n")}`);

  const declaredNetworks = Object.keys(compose.networks ?? {});
  const nodes = serviceNames.map((name) => serviceToNode(name, compose.services[name]!, spec.nodes[name], composeDir, serviceNames, file));
  const usesDefault = serviceNames.some((name) => !compose.services[name]!.networks);
  const networks = [...(usesDefault ? [DEFAULT_NETWORK] : []), ...declaredNetworks.filter((n) => n !== DEFAULT_NETWORK)];
  for (const node of nodes) if (!node.networks) node.networks = [DEFAULT_NETWORK];
  return {
    networks,
    nodes,
    links: spec.links,
    roles: spec.roles,
    probes: spec.probes,
    ...(spec.probeSettings ? { probeSettings: spec.probeSettings } : {}),
  };
}

/** Parses and checks compose text; a failure names the file, the path inside it and what was expected. */
export function parseComposeText(text: string, file: string): z.infer<typeof ComposeFile> {
  let data: unknown;
  try {
    data = parseYaml(text);
  } catch (error) {
    const where = error instanceof YAMLParseError && error.linePos ? ` (line ${error.linePos[0].line}, column ${error.linePos[0].col})` : "";
    throw new InputError(`${file}: not valid YAML${where}: ${(error as Error).message.split("\n")[0]}`, "fix the YAML syntax; nothing was started", { cause: error });
  }
  const unsupported = unsupportedKeys(data);
  if (unsupported.length > 0)
    throw new InputError(`${file}: compose keys havoc does not support\n${unsupported.map((p) => `  at ${p}`).join("\n")}`, "remove these keys, or express them in the scenario (roles, links, data volumes, faults); nothing was started");
  const parsed = ComposeFile.safeParse(data);
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap(closestIssues).map((issue) => `  at ${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`);
    throw new InputError(`${file}: invalid compose file\n${lines.join("\n")}`, "fix the fields listed above; nothing was started");
  }
  return parsed.data;
}

/**
 * A value that fits none of a union's forms (compose allows several for most keys) is explained by the form it came
 * closest to (the one whose problems lie deepest), not by zod's bare "Invalid input".
 */
function closestIssues(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== "invalid_union" || issue.errors.length === 0) return [issue];
  const depth = (issues: z.core.$ZodIssue[]) => Math.max(...issues.map((i) => i.path.length));
  const best = issue.errors.reduce((a, b) => (depth(b) > depth(a) ? b : a));
  if (depth(best) === 0) return [issue];
  return best.flatMap((inner) => closestIssues({ ...inner, path: [...issue.path, ...inner.path] }));
}

function serviceToNode(name: string, service: ComposeService, overrides: ComposeNodeOverrides | undefined, composeDir: string, services: readonly string[], file: string): NodeSpecInput {
  const at = `${file}: services.${name}`;
  if (!service.image && !service.build) throw new InputError(`${at}: expected image or build`, "name a local image or a build context");
  const env = { ...environment(service.environment, `${at}.environment`), ...(overrides?.env ?? {}) };
  const ready = overrides?.ready ?? healthcheckProbe(service.healthcheck);
  const node: NodeSpecInput = {
    name,
    ...(service.image ? { image: service.image } : {}),
    ...(service.build ? { build: buildOf(service.build, composeDir, `${at}.build`) } : {}),
    env,
    ports: [...new Set([...(service.ports ?? []).map((port, i) => containerPort(port, `${at}.ports[${i}]`)), ...(overrides?.ports ?? [])])],
    dependsOn: dependsOn(service.depends_on, services, `${at}.depends_on`),
  };
  if (service.networks) node.networks = Array.isArray(service.networks) ? service.networks : Object.keys(service.networks);
  if (service.command !== undefined) node.command = Array.isArray(service.command) ? service.command : splitCommand(service.command, `${at}.command`);
  if (ready) node.ready = ready;
  const readyTimeoutMs = overrides?.readyTimeoutMs ?? healthcheckDeadlineMs(service.healthcheck);
  if (readyTimeoutMs !== undefined) node.readyTimeoutMs = readyTimeoutMs;
  if (overrides?.role) node.role = overrides.role;
  if (overrides?.memoryMb) node.memoryMb = overrides.memoryMb;
  if (overrides?.dataVolume) node.dataVolume = overrides.dataVolume;
  return node;
}

/** Compose environment: a map (numbers and booleans as text) or a "KEY=value" list. No interpolation from the host. */
function environment(value: ComposeService["environment"], at: string): Record<string, string> {
  const env: Record<string, string> = {};
  const entries = Array.isArray(value)
    ? value.map((line): [string, string | null] => {
        const eq = line.indexOf("=");
        return eq === -1 ? [line, null] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(value ?? {}).map(([k, v]): [string, string | null] => [k, v === null ? null : String(v)]);
  for (const [key, v] of entries) {
    if (v === null) throw new InputError(`${at}.${key}: a variable without a value (taken from the host's environment) is not supported`, "give it a value in the compose file, or set it in the scenario's topology.nodes.<service>.env");
    // `${secret:NAME}` is havoc's per-run secret; any other interpolation would depend on the host that runs havoc.
    const rest = v.replace(/\$\$/g, "").replace(/\$\{secret:[a-z][a-z0-9-]*\}/g, "");
    if (rest.includes("$")) throw new InputError(`${at}.${key}: variable interpolation ($VAR, \${VAR}) is not supported`, "write the value out, use ${secret:NAME} for a per-run secret, or write $$ for a literal $");
    env[key] = v.replace(/\$\$/g, "$");
  }
  return env;
}

function buildOf(build: NonNullable<ComposeService["build"]>, composeDir: string, at: string) {
  const spec = typeof build === "string" ? { context: build } : build;
  const context = resolve(composeDir, spec.context ?? ".");
  if (!existsSync(context)) throw new InputError(`${at}.context: no such folder ${context}`, "build contexts are relative to the compose file");
  return {
    context,
    ...(spec.dockerfile ? { dockerfile: spec.dockerfile } : {}),
    ...("args" in spec && spec.args ? { args: environment(spec.args, `${at}.args`) } : {}),
    ...("target" in spec && spec.target ? { target: spec.target } : {}),
  };
}

/**
 * The container port of a compose port entry: "8080", "8000:8080", "127.0.0.1:8000:8080", "8080/tcp", 8080 or the
 * long form. Ranges and udp are refused (havoc publishes single tcp ports).
 */
export function containerPort(port: number | string | { target: number }, at: string): number {
  if (typeof port === "number") return port;
  if (typeof port === "object") return port.target;
  const [spec, protocol] = port.split("/");
  if (protocol !== undefined && protocol !== "tcp") throw new InputError(`${at}: "${port}": only tcp ports are supported`);
  const container = spec!.split(":").at(-1)!;
  if (!/^\d+$/.test(container)) throw new InputError(`${at}: "${port}": expected a single container port (ranges are not supported)`);
  const n = Number(container);
  if (n < 1 || n > 65535) throw new InputError(`${at}: "${port}": port out of range`);
  return n;
}

function dependsOn(value: ComposeService["depends_on"], services: readonly string[], at: string): string[] {
  const names = Array.isArray(value) ? value : Object.keys(value ?? {});
  for (const dep of names) if (!services.includes(dep)) throw new InputError(`${at}: "${dep}" is not a service of this topology (${services.join(", ")})`);
  return names;
}

/** CMD -> the command as is; CMD-SHELL and a plain string -> /bin/sh -c; NONE or disable -> no probe. */
export function healthcheckProbe(healthcheck: ComposeService["healthcheck"]): { kind: "exec"; command: string[] } | undefined {
  if (!healthcheck?.test || healthcheck.disable) return undefined;
  const test = healthcheck.test;
  if (typeof test === "string") return { kind: "exec", command: ["/bin/sh", "-c", test] };
  const [form, ...rest] = test;
  if (form === "NONE") return undefined;
  if (form === "CMD" && rest.length > 0) return { kind: "exec", command: rest };
  if (form === "CMD-SHELL" && rest.length > 0) return { kind: "exec", command: ["/bin/sh", "-c", rest.join(" ")] };
  throw new InputError(`healthcheck.test ${JSON.stringify(test)}: expected ["CMD", ...], ["CMD-SHELL", "..."], ["NONE"] or a string`);
}

/**
 * Havoc polls a ready probe until a deadline instead of compose's interval/retries: the deadline is what compose
 * would wait before calling the service unhealthy (start_period + retries x (interval + timeout)), at least 60 s.
 */
function healthcheckDeadlineMs(healthcheck: ComposeService["healthcheck"]): number | undefined {
  if (!healthcheck || (healthcheck.interval === undefined && healthcheck.start_period === undefined)) return undefined;
  const interval = healthcheck.interval ?? 30_000;
  const timeout = healthcheck.timeout ?? 30_000;
  const composeMs = (healthcheck.start_period ?? 0) + (healthcheck.retries ?? 3) * (interval + timeout);
  return Math.max(DEFAULT_READY_TIMEOUT_MS, composeMs);
}

/** Splits a compose command string as compose does (shell words, no shell): quotes group, backslash escapes. */
export function splitCommand(command: string, at: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === "\\" && quote === '"' && i + 1 < command.length) word += command[++i];
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === "\\" && i + 1 < command.length) {
      word += command[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new InputError(`${at}: unterminated ${quote} quote in ${JSON.stringify(command)}`);
  if (inWord) words.push(word);
  return words;
}
