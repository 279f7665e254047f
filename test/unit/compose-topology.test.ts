import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { ComposeTopology } from "../../scenario/compose/compose-topology-spec.ts";
import { InputError } from "../../core/errors.ts";
import { Topology } from "../../core/topology.ts";
import { validateScenario } from "../../scenario/validate-scenario.ts";
import { containerPort, healthcheckProbe, parseComposeText, splitCommand, topologyFromCompose } from "../../scenario/compose/compose-topology.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const example = join(root, "examples/notes-service");

const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A folder with a compose.yaml of the given text and the build contexts it may name. */
async function composeDir(text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "havoc-compose-"));
  made.push(dir);
  await mkdir(join(dir, "app"));
  await writeFile(join(dir, "app/Dockerfile"), "FROM debian:bookworm\n");
  await writeFile(join(dir, "compose.yaml"), text);
  return dir;
}

function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("expected an InputError");
}

describe("topology from a compose file", () => {
  it("reads the example's compose.yaml into a valid topology, with the scenario's roles on top", async () => {
    const spec = ComposeTopology.parse({ compose: "../compose.yaml", nodes: { notes: { role: "app" }, redis: { role: "db" } } });
    const topology = Topology.parse(await topologyFromCompose(spec, join(example, "scenarios")));
    expect(topology.networks).toEqual(["default"]);
    const [redis, notes] = topology.nodes;
    expect(redis).toMatchObject({ name: "redis", role: "db", build: { context: join(example, "redis"), dockerfile: "Dockerfile" }, ports: [], networks: ["default"] });
    expect(redis!.ready).toEqual({ kind: "exec", command: ["redis-cli", "ping"] });
    expect(notes).toMatchObject({ name: "notes", role: "app", env: { REDIS_HOST: "redis", PORT: "8080" }, ports: [8080], dependsOn: ["redis"] });
    expect(notes!.ready).toMatchObject({ kind: "exec", command: ["/bin/sh", "-c", expect.stringContaining("urllib.request.urlopen")] });
    // Built images get a tag derived from where and how they are built; two different contexts never share one.
    expect(redis!.image).toMatch(/^havoc-local\/redis:[0-9a-f]{12}$/);
    expect(notes!.image).toMatch(/^havoc-local\/app:[0-9a-f]{12}$/);
    // 30 retries of a 1 s interval and compose's default 30 s timeout: compose would wait that long too.
    expect(notes!.readyTimeoutMs).toBe(30 * 31_000);
  });

  it("publishes extra ports the scenario asks for, so a SQL or Redis readback can reach a store the compose file keeps private", async () => {
    const spec = ComposeTopology.parse({ compose: "../compose.yaml", nodes: { redis: { role: "db", ports: [6379] }, notes: { ports: [8080] } } });
    const topology = await topologyFromCompose(spec, join(example, "scenarios"));
    const scenario = validateScenario({
      name: "redis-readback",
      topology,
      traffic: [{ script: "k6", name: "writers", file: "/x/w.ts", target: { node: "notes", port: 8080 }, duration: "20s" }],
      readback: [{ kind: "redis", traffic: "writers", node: "redis", port: 6379, scan: "note:*", stripPrefix: "note:" }],
      slos: [{ id: "nothing-lost", kind: "lost-writes", traffic: "writers", atMost: 0 }],
    });
    expect(scenario.success ? [] : scenario.issues).toEqual([]);
    expect(topology.nodes.map((n) => n.ports)).toEqual([[6379], [8080]]);
  });

  it("refuses every unsupported key by its path, listing what is supported", () => {
    const message = refusal(() =>
      parseComposeText("services:\n  web:\n    image: x\n    deploy: {replicas: 2}\n    volumes: [data:/data]\n    x-note: fine\nvolumes:\n  data: {}\nx-anchors: 1\n", "compose.yaml"),
    );
    expect(message).toContain("services.web.deploy: not supported; supported: image, build, environment, ports, networks, healthcheck, depends_on, command");
    expect(message).toContain("services.web.volumes: not supported");
    expect(message).toContain("volumes: not supported; supported: services, networks, name, version");
    expect(message).not.toContain("x-note");
    expect(message).not.toContain("x-anchors");
    expect(refusal(() => parseComposeText("services:\n  web:\n    build: {context: ., ssh: [default]}\n", "c.yaml"))).toContain("services.web.build.ssh: not supported; supported: context, dockerfile, args, target");
    expect(refusal(() => parseComposeText("services:\n  web:\n    image: x\n    networks: {back: {aliases: [b]}}\n", "c.yaml"))).toContain("services.web.networks.back.aliases: not supported; this entry takes no settings");
  });

  it("names the line of a YAML syntax error and the path of a wrong value", () => {
    expect(refusal(() => parseComposeText("services:\n  web:\n    image: [x\n", "bad.yaml"))).toMatch(/bad\.yaml: not valid YAML \(line \d+, column \d+\)/);
    expect(refusal(() => parseComposeText("services:\n  web:\n    ports: [{target: 53, protocol: udp}]\n", "c.yaml"))).toContain("at services.web.ports.0");
    expect(refusal(() => parseComposeText("services:\n  web:\n    image: x\n    depends_on: {db: {condition: service_completed_successfully}}\n", "c.yaml"))).toContain("service_completed_successfully is not supported");
  });

  it("takes environment as a map or a list, keeps ${secret:NAME} and refuses host interpolation", async () => {
    const dir = await composeDir(
      'services:\n  app:\n    build: ./app\n    environment: ["A=1", "B=x=y", "PASS=${secret:db-password}", "COST=$$5"]\n  b:\n    image: local/b\n    environment: {N: 3, T: true}\n',
    );
    const topology = await topologyFromCompose(ComposeTopology.parse({ compose: "compose.yaml" }), dir);
    expect(topology.nodes[0]!.env).toEqual({ A: "1", B: "x=y", PASS: "${secret:db-password}", COST: "$5" });
    expect(topology.nodes[1]!.env).toEqual({ N: "3", T: "true" });
    const host = await composeDir('services:\n  app:\n    image: x\n    environment: ["HOME=${HOME}"]\n');
    await expect(topologyFromCompose(ComposeTopology.parse({ compose: "compose.yaml" }), host)).rejects.toThrow("services.app.environment.HOME: variable interpolation");
    const bare = await composeDir("services:\n  app:\n    image: x\n    environment: [TOKEN]\n");
    await expect(topologyFromCompose(ComposeTopology.parse({ compose: "compose.yaml" }), bare)).rejects.toThrow("without a value");
  });

  it("uses declared networks, a subset of services and refuses overrides of unknown services", async () => {
    const dir = await composeDir("services:\n  a:\n    image: x\n    networks: [front]\n  b:\n    image: y\n    networks: {front: null, back: {}}\n  c:\n    image: z\nnetworks:\n  front:\n  back: {driver: bridge}\n");
    const all = await topologyFromCompose(ComposeTopology.parse({ compose: "compose.yaml" }), dir);
    expect(all.networks).toEqual(["default", "front", "back"]);
    expect(all.nodes.map((n) => n.networks)).toEqual([["front"], ["front", "back"], ["default"]]);
    const two = await topologyFromCompose(ComposeTopology.parse({ compose: "compose.yaml", services: ["a", "b"] }), dir);
    expect(two.nodes.map((n) => n.name)).toEqual(["a", "b"]);
    expect(two.networks).toEqual(["front", "back"]);
    await expect(topologyFromCompose(ComposeTopology.parse({ compose: "compose.yaml", nodes: { nope: { role: "x" } } }), dir)).rejects.toThrow("topology.nodes.nope: no such service");
    await expect(topologyFromCompose(ComposeTopology.parse({ compose: "missing.yaml" }), dir)).rejects.toThrow("no such compose file");
  });

  it("reads ports, healthchecks and commands in every compose form", () => {
    expect(["8080", "8000:8080", "127.0.0.1:8000:8080", "8080/tcp", 8080, { target: 8080 }].map((p) => containerPort(p, "x"))).toEqual([8080, 8080, 8080, 8080, 8080, 8080]);
    expect(() => containerPort("53/udp", "ports[0]")).toThrow("only tcp");
    expect(() => containerPort("8000-8002:8000-8002", "ports[0]")).toThrow("ranges are not supported");
    expect(healthcheckProbe({ test: "pg_isready -q" })).toEqual({ kind: "exec", command: ["/bin/sh", "-c", "pg_isready -q"] });
    expect(healthcheckProbe({ test: ["CMD-SHELL", "curl -f localhost"] })).toEqual({ kind: "exec", command: ["/bin/sh", "-c", "curl -f localhost"] });
    expect(healthcheckProbe({ test: ["NONE"] })).toBeUndefined();
    expect(healthcheckProbe({ test: ["CMD", "true"], disable: true })).toBeUndefined();
    expect(splitCommand(`redis-server --save "" --dir '/my data' a\\ b`, "command")).toEqual(["redis-server", "--save", "", "--dir", "/my data", "a b"]);
    expect(() => splitCommand(`echo "open`, "services.a.command")).toThrow("unterminated");
  });
});
