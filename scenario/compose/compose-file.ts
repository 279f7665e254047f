import { z } from "zod";
import { DurationMs } from "../../core/duration.ts";

/**
 * The subset of the Compose Specification (compose-spec.io) havoc reads. Every key outside it is refused by name
 * (see unsupportedKeys), never silently dropped: a `deploy`, `volumes` or `restart` the run would ignore would make
 * the system under test a different one than the file says.
 */

export const supportedServiceKeys = ["image", "build", "environment", "ports", "networks", "healthcheck", "depends_on", "command"] as const;
export const supportedTopLevelKeys = ["services", "networks", "name", "version"] as const;
const supportedBuildKeys = ["context", "dockerfile", "args", "target"] as const;
const supportedHealthcheckKeys = ["test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"] as const;
const supportedDependsOnKeys = ["condition", "required", "restart"] as const;
const supportedPortKeys = ["target", "published", "protocol", "host_ip", "mode"] as const;

/** A map of strings, or a list of "KEY=value" (compose allows both for environment and build args). */
const KeyValues = z.union([z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])), z.array(z.string())]);

const Build = z.union([
  z.string().min(1),
  z.object({ context: z.string().min(1).default("."), dockerfile: z.string().min(1).optional(), args: KeyValues.optional(), target: z.string().min(1).optional() }),
]);

const Port = z.union([
  z.number().int().min(1).max(65535),
  z.string().min(1),
  z.object({
    target: z.number().int().min(1).max(65535),
    published: z.union([z.string(), z.number()]).optional(),
    protocol: z.enum(["tcp"], "only tcp ports can be published here").optional(),
    host_ip: z.string().optional(),
    mode: z.string().optional(),
  }),
]);

const Healthcheck = z.object({
  test: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
  interval: DurationMs.optional(),
  timeout: DurationMs.optional(),
  retries: z.number().int().min(0).optional(),
  start_period: DurationMs.optional(),
  start_interval: DurationMs.optional(),
  disable: z.boolean().optional(),
});

const DependsOn = z.union([
  z.array(z.string().min(1)),
  z.record(
    z.string(),
    z.object({
      condition: z.enum(["service_started", "service_healthy"], 'expected "service_started" or "service_healthy" (service_completed_successfully is not supported: havoc keeps every node running)').default("service_started"),
      required: z.boolean().optional(),
      restart: z.boolean().optional(),
    }),
  ),
]);

export const ComposeService = z.object({
  image: z.string().min(1).optional(),
  build: Build.optional(),
  environment: KeyValues.optional(),
  ports: z.array(Port).optional(),
  networks: z.union([z.array(z.string().min(1)), z.record(z.string(), z.union([z.null(), z.object({}).strict()]))]).optional(),
  healthcheck: Healthcheck.optional(),
  depends_on: DependsOn.optional(),
  command: z.union([z.string().min(1), z.array(z.string()).min(1)]).optional(),
});
export type ComposeService = z.infer<typeof ComposeService>;

export const ComposeFile = z.object({
  name: z.string().optional(),
  /** Obsolete in the Compose Specification; accepted and ignored, as `docker compose` does. */
  version: z.union([z.string(), z.number()]).optional(),
  services: z.record(z.string(), ComposeService).refine((s) => Object.keys(s).length > 0, "expected at least one service"),
  networks: z.record(z.string(), z.union([z.null(), z.object({ driver: z.literal("bridge", 'only the "bridge" driver').optional() }).strict()])).optional(),
});
export type ComposeFile = z.infer<typeof ComposeFile>;

/**
 * Keys the subset does not cover, each as `path: not supported; supported: ...`. Extension keys (`x-...`) are
 * allowed wherever compose allows them (top level and in services) and ignored.
 */
export function unsupportedKeys(data: unknown): string[] {
  const problems: string[] = [];
  const check = (value: unknown, path: string, supported: readonly string[], allowExtensions = false) => {
    if (!isPlainObject(value)) return;
    for (const key of Object.keys(value)) {
      if (supported.includes(key) || (allowExtensions && key.startsWith("x-"))) continue;
      problems.push(`${path ? `${path}.` : ""}${key}: not supported; ${supported.length > 0 ? `supported: ${supported.join(", ")}` : "this entry takes no settings"}`);
    }
  };
  check(data, "", supportedTopLevelKeys, true);
  if (!isPlainObject(data) || !isPlainObject(data.services)) return problems;
  for (const [name, service] of Object.entries(data.services)) {
    const at = `services.${name}`;
    check(service, at, supportedServiceKeys, true);
    if (!isPlainObject(service)) continue;
    check(service.build, `${at}.build`, supportedBuildKeys);
    check(service.healthcheck, `${at}.healthcheck`, supportedHealthcheckKeys);
    if (isPlainObject(service.depends_on)) for (const [dep, spec] of Object.entries(service.depends_on)) check(spec, `${at}.depends_on.${dep}`, supportedDependsOnKeys);
    if (Array.isArray(service.ports)) service.ports.forEach((port, i) => check(port, `${at}.ports[${i}]`, supportedPortKeys));
    if (isPlainObject(service.networks))
      for (const [net, spec] of Object.entries(service.networks)) check(spec, `${at}.networks.${net}`, []);
  }
  if (isPlainObject(data.networks)) for (const [net, spec] of Object.entries(data.networks)) check(spec, `networks.${net}`, ["driver"]);
  return problems;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
