import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { HostSpec, placeNodes, rateSplitProblem, spansHosts } from "../../core/hosts.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import { hostPlacement } from "../../scenario/hosts-used.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import demo from "../../scenarios/trackr/app-node-crash.ts";
import multihost from "../fixtures/multihost-trackr.ts";

const file = "scenarios/hosts.ts";

function refusal(data: unknown): string {
  try {
    parseScenario(data, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("scenario was accepted");
}

const withRemote = (s: ScenarioInput): ScenarioInput => ({ ...structuredClone(s), hosts: { remote: { docker: "tcp://10.9.8.7:2375" } } });

describe("placement of nodes on hosts", () => {
  const nodes = [
    { name: "db", role: "db" },
    { name: "app-1", role: "app" },
    { name: "app-2", role: "app" },
    { name: "app-3", role: "app", host: "west" },
    { name: "app-4", role: "app" },
    { name: "lb" },
  ];

  it("a node's own host wins; its role's spread goes round in node order; everything else is local", () => {
    const placed = placeNodes(nodes, { app: ["local", "east"] });
    expect(Object.fromEntries(placed)).toEqual({ db: "local", "app-1": "local", "app-2": "east", "app-3": "west", "app-4": "local", lb: "local" });
  });

  it("spans hosts only when more than one engine is used (one remote engine keeps bridge networks there)", () => {
    expect(spansHosts(["local", "local"])).toBe(false);
    expect(spansHosts(["east"])).toBe(false);
    expect(spansHosts(["local", "east"])).toBe(true);
  });

  it("a scenario's placement counts the generators' hosts and the links' node", () => {
    const s = parseScenario(withRemote(multihost), file);
    const placement = hostPlacement(s);
    expect([...placement.used].sort()).toEqual(["local", "remote"]);
    expect(placement.spans).toBe(true);
    expect(placement.generators.get("devices")).toEqual(["local", "remote"]);
    const plain = hostPlacement(parseScenario(demo, file));
    expect([...plain.used]).toEqual(["local"]);
    expect(plain.spans).toBe(false);
  });
});

describe("splitting an arrival rate over generators", () => {
  it("a rate that divides splits; one that does not is refused with the counts that would", () => {
    expect(rateSplitProblem(40, 2)).toBeUndefined();
    expect(rateSplitProblem(40, 1)).toBeUndefined();
    expect(rateSplitProblem(50, 3)).toBe("a rate of 50/s cannot be split into 3 equal whole rates (16.67/s each); counts that divide it: 1, 2, 5, 10");
  });
});

describe("hosts in a scenario", () => {
  it("accepts the multi-host fixture once host remote is declared, with defaults filled", () => {
    const s = parseScenario(withRemote(multihost), file);
    expect(s.hosts.remote).toEqual({ docker: "tcp://10.9.8.7:2375" });
    expect(s.topology.spread).toEqual({ app: ["remote"] });
  });

  it("refuses a node, a spread and a generator on an undeclared host, each at its path", () => {
    const bad = structuredClone(multihost) as ScenarioInput;
    (bad.topology as { nodes: { host?: string }[] }).nodes[0]!.host = "remot";
    const message = refusal(bad);
    expect(message).toContain('at topology.nodes[0].host: unknown host "remot"; hosts: local');
    expect(message).toContain('at topology.spread.app[0]: unknown host "remote"; hosts: local');
    expect(message).toContain('at traffic[0].generators[1].host: unknown host "remote"; hosts: local');
  });

  it("suggests the declared host meant", () => {
    const bad = withRemote(multihost);
    (bad.topology as { nodes: { host?: string }[] }).nodes[0]!.host = "remot";
    expect(refusal(bad)).toContain('at topology.nodes[0].host: unknown host "remot"; did you mean "remote"? hosts: local, remote');
  });

  it('refuses declaring "local", an engine that is no URL nor context name, TLS on ssh, and an address that is a name', () => {
    const bad = { ...structuredClone(demo), hosts: { local: { docker: "tcp://10.0.0.1:2375" }, east: { docker: "http://x" }, west: { docker: "ssh://me@10.0.0.2", tls: { ca: "a", cert: "b", key: "c" } }, north: { docker: "tcp://10.0.0.3:2375", address: "north.example" } } };
    const message = refusal(bad);
    expect(message).toContain('at hosts.local: "local" is this machine\'s own engine');
    expect(message).toContain("at hosts.east.docker: expected unix:///path, tcp://host:port, ssh://user@host or a Docker context name");
    expect(message).toContain("at hosts.west.tls: tls applies to a tcp:// engine only");
    expect(message).toContain("at hosts.north.address: expected an IPv4 or IPv6 address literal");
  });

  it("takes a Docker context name, unix, tcp and ssh engines", () => {
    for (const docker of ["east-ctx", "unix:///run/user/1000/docker.sock", "tcp://10.0.0.5:2376", "ssh://me@10.0.0.5"]) expect(HostSpec.safeParse({ docker }).success, docker).toBe(true);
  });

  it("refuses a loop-ext4 disk on a remote node (it is made on this machine), and takes a tmpfs there", () => {
    const bad = withRemote(demo);
    const db = (bad.topology as { nodes: Record<string, unknown>[] }).nodes[0]!;
    db.host = "remote";
    db.dataVolume = { path: "/var/lib/postgresql/data", sizeMb: 64 };
    expect(refusal(bad)).toContain('at topology.nodes[0].dataVolume.kind: node "db" is on host "remote", and a loop-ext4 disk is made and mounted on this machine');
    db.dataVolume = { path: "/var/lib/postgresql/data", sizeMb: 64, kind: "tmpfs" };
    expect(() => parseScenario(bad, file)).not.toThrow();
  });

  it("refuses a spread over a role no node has", () => {
    const bad = withRemote(demo);
    (bad.topology as { spread?: Record<string, string[]> }).spread = { apps: ["remote"] };
    expect(refusal(bad)).toMatch(/at topology\.spread\.apps: no node has role "apps"/);
  });

  it("refuses a generator count the class's rate cannot be split into, and generators with processes", () => {
    const bad = withRemote(multihost);
    const devices = bad.traffic[0] as { generators: { host: string }[]; ratePerSecond: number; processes?: number };
    devices.generators = [{ host: "local" }, { host: "remote" }, { host: "remote" }];
    expect(refusal(bad)).toContain("at traffic[0].generators: a rate of 40/s cannot be split into 3 equal whole rates (13.33/s each); counts that divide it: 1, 2, 4, 5, 8, 10");
    devices.generators = [{ host: "remote" }];
    devices.processes = 2;
    expect(refusal(bad)).toContain("at traffic[0].generators: give generators (k6 containers on chosen hosts) or processes (k6 processes here), not both");
  });
});
