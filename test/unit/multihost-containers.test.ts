import Dockerode from "dockerode";
import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { createLogger } from "../../core/log.ts";
import { Topology } from "../../core/topology.ts";
import { Engines, localEngine, type Engine } from "../../env/docker/engines.ts";
import { loadFailure, splitTag } from "../../env/docker/image-transfer.ts";
import { fileFromTar, tarOneFile } from "../../env/docker/tar.ts";
import { RunSecrets } from "../../env/secrets.ts";
import { assertOwnNodeTarget } from "../../env/target-guard.ts";
import { isPortConflict, nodeCreateOptions } from "../../env/topology/node-create.ts";
import { StartedTopology, type StartedNode } from "../../env/topology/started-topology.ts";
import { k6ContainerCreateOptions } from "../../load/k6-container.ts";
import { K6Class, k6Launches } from "../../load/traffic/k6.ts";
import { deviceFleet } from "../../systems/trackr/traffic.ts";

/** An engine that is never called (these tests only build requests and addresses). */
const remote: Engine = { name: "east", local: false, docker: new Dockerode({ protocol: "http", host: "192.0.2.1", port: 1 }), address: "192.0.2.10", bindIp: "192.0.2.10", describe: "tcp://192.0.2.10:2375" };

describe("a node's container on its host's engine", () => {
  it("one network with its aliases in the create request, ports published on the host's bind address", () => {
    const options = nodeCreateOptions({
      name: "havoc-r1-app-1",
      image: "sha256:abc",
      env: { PORT: "8080" },
      command: ["node", "server.js"],
      labels: { "havoc.run": "r1" },
      network: "havoc-r1-main",
      aliases: ["app-1"],
      ports: new Map([[8080, 41000]]),
      bindIp: remote.bindIp,
      memoryMb: 256,
      tmpfs: { "/data": "rw,size=64m,mode=0755" },
    });
    expect(options).toEqual({
      name: "havoc-r1-app-1",
      Image: "sha256:abc",
      Env: ["PORT=8080"],
      Cmd: ["node", "server.js"],
      Labels: { "havoc.run": "r1" },
      ExposedPorts: { "8080/tcp": {} },
      HostConfig: { NetworkMode: "havoc-r1-main", PortBindings: { "8080/tcp": [{ HostIp: "192.0.2.10", HostPort: "41000" }] }, Memory: 256 * 1024 * 1024, Tmpfs: { "/data": "rw,size=64m,mode=0755" } },
      NetworkingConfig: { EndpointsConfig: { "havoc-r1-main": { Aliases: ["app-1"] } } },
    });
  });

  it("knows Docker's refusals of a taken host port (then it tries other ports)", () => {
    expect(isPortConflict(new Error("driver failed programming external connectivity: Bind for 0.0.0.0:41000 failed: port is already allocated"))).toBe(true);
    expect(isPortConflict(new Error("listen tcp4 192.0.2.10:41000: bind: address already in use"))).toBe(true);
    expect(isPortConflict(new Error("No such image: sha256:abc"))).toBe(false);
  });
});

describe("a started topology across hosts", () => {
  const topology = Topology.parse({
    networks: ["main", "edge"],
    nodes: [
      { name: "db", image: "db:1", ports: [5432] },
      { name: "app-1", image: "app:1", ports: [8080], host: "east" },
      { name: "lb", image: "lb:1", ports: [80], networks: ["edge"] },
    ],
  });
  const node = (name: string, ports: [number, number][], host?: string): StartedNode => ({ name, spec: topology.nodes.find((n) => n.name === name)!, containerName: `havoc-r1-${name}`, hostPorts: new Map(ports), ...(host ? { host } : {}) });
  const started = new StartedTopology(
    "r1",
    new Map([
      ["db", node("db", [[5432, 40001]])],
      ["app-1", node("app-1", [[8080, 40002]], "east")],
      ["lb", node("lb", [[80, 40003]])],
    ]),
    new Map([
      ["main", "havoc-r1-main"],
      ["edge", "havoc-r1-edge"],
    ]),
    new RunSecrets([]),
    createLogger("test", () => undefined),
    undefined,
    [],
    new Engines([localEngine(), remote], true),
  );

  it("reaches a local node at loopback and a remote one at its host's address", () => {
    expect(started.baseUrl("db", 5432)).toBe("http://127.0.0.1:40001");
    expect(started.baseUrl("app-1", 8080)).toBe("http://192.0.2.10:40002");
    expect(started.isLocal("app-1")).toBe(false);
    expect(started.engineOf("app-1")).toBe(remote);
  });

  it("tells the target guard exactly which ports are the run's, here and on each host", () => {
    expect([...started.publishedHostPorts()].sort()).toEqual([40001, 40003]);
    expect(Object.fromEntries([...started.remoteEndpoints()].map(([a, p]) => [a, [...p]]))).toEqual({ "192.0.2.10": [40002] });
  });

  it("gives a generator inside the run's network the networks reaching its targets, and their URLs by node name", () => {
    expect(started.networksReaching(["db"])).toEqual(["havoc-r1-main"]);
    expect(started.networksReaching(["db", "app-1", "lb"])).toEqual(["havoc-r1-main", "havoc-r1-edge"]);
    expect(assertOwnNodeTarget("lb", 80, started, "traffic to lb:80")).toBe("http://lb:80");
    expect(() => assertOwnNodeTarget("lb", 8080, started, "traffic to lb:8080")).toThrow(/"lb" does not declare port 8080/);
    expect(() => assertOwnNodeTarget("example", 80, started, "traffic to example:80")).toThrow(/"example" is not a node of this run/);
  });
});

describe("k6 generators", () => {
  const c = K6Class.parse(deviceFleet({ name: "devices", target: { node: "lb", port: 80 }, ratePerSecond: 40, duration: "50s", generators: [{ host: "local" }, { host: "east" }] }));

  it("one execution segment per generator, named <host>-<i>, the targets by node name, the names the script may use", () => {
    const launches = k6Launches(c, { urls: ["http://lb:80"], allowedHosts: ["lb"], keySecret: "k", runId: "r1", bundledScriptPath: "/run/k6/bundle.js" });
    expect(launches.map((l) => [l.label, l.generator, l.env.HAVOC_SEGMENT, l.env.HAVOC_TARGET_URL, l.env.HAVOC_TARGET_HOSTS])).toEqual([
      ["devices.local-1", { name: "local-1", host: "local" }, "0:1/2", "http://lb:80", "lb"],
      ["devices.east-2", { name: "east-2", host: "east" }, "1/2:1", "http://lb:80", "lb"],
    ]);
    expect(c.ratePerSecond).toBe(40);
  });

  it("refuses a URL whose host is neither loopback nor one havoc named", () => {
    expect(() => k6Launches(c, { urls: ["http://lb:80"], keySecret: "k", runId: "r1", bundledScriptPath: "/b.js" })).toThrow(InputError);
    expect(() => k6Launches(c, { urls: ["http://evil:80"], allowedHosts: ["lb"], keySecret: "k", runId: "r1", bundledScriptPath: "/b.js" })).toThrow(/target http:\/\/evil:80 is not loopback nor one of lb/);
  });

  it("a generator container: on the run's network, its REST API published on its host's bind address, the run labels on it", () => {
    const options = k6ContainerCreateOptions({ engine: remote, image: "sha256:k6", runId: "r1", containerName: "havoc-r1-k6-devices.east-2", networks: ["havoc-r1-main"], traffic: "devices", generator: "east-2", env: { HAVOC_TRAFFIC: "devices" } });
    expect(options.Cmd).toEqual(["run", "--quiet", "--no-color", "--log-format=raw", "--no-usage-report", "--address=0.0.0.0:6565", "--summary-export=/havoc/summary.json", "/havoc/script.js"]);
    expect(options.HostConfig).toEqual({ NetworkMode: "havoc-r1-main", PortBindings: { "6565/tcp": [{ HostIp: "192.0.2.10", HostPort: "" }] } });
    expect(options.Labels).toMatchObject({ "havoc.run": "r1", "havoc.generator": "east-2" });
    expect(options.Env).toEqual(["HOME=/tmp", "K6_NO_USAGE_REPORT=true", "K6_AUTO_EXTENSION_RESOLUTION=false", "HAVOC_TRAFFIC=devices"]);
  });
});

describe("copying files and images between engines", () => {
  it("a one-file tar archive reads back (the script goes in, the summary comes out)", () => {
    const content = Buffer.from("export default function () {}\n".repeat(40));
    const archive = tarOneFile("script.js", content);
    expect(archive.length % 512).toBe(0);
    expect(fileFromTar(archive, "script.js")?.equals(content)).toBe(true);
    expect(fileFromTar(archive, "other.js")).toBeUndefined();
    expect(() => tarOneFile("../escape.js", content)).toThrow(/unsupported file name/);
  });

  it("reads docker load's failure from its answer, and splits image references", () => {
    expect(loadFailure('{"stream":"Loaded image ID: sha256:abc\\n"}\n')).toBeUndefined();
    expect(loadFailure('{"errorDetail":{"message":"no space left on device"},"error":"no space left on device"}\n')).toBe("no space left on device");
    expect(splitTag("havoc/trackr-app:dev")).toEqual(["havoc/trackr-app", "dev"]);
    expect(splitTag("registry:5000/app")).toEqual(["registry:5000/app", "latest"]);
  });
});
