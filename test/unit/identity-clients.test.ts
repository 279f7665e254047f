import { describe, expect, it } from "vitest";
import { Scenario } from "../../scenario/scenario.ts";
import { TrafficClass, trafficTargets } from "../../load/traffic/registry.ts";
import { K6Class, k6Launches } from "../../load/traffic/k6.ts";
import { rotated, shouldMoveOn } from "../../systems/identity/k6/server-list-rules.ts";
import { tokenActiveStale } from "../../systems/identity/k6/token-check.ts";
import { identityReadback, identityServerList, identityTopology } from "../../systems/identity/topology.ts";
import { identityClients, identityPeople } from "../../systems/identity/traffic.ts";
import partition from "../../scenarios/identity/primary-partition.ts";

const servers = identityServerList();
const urls = ["http://127.0.0.1:40001", "http://127.0.0.1:40002", "http://127.0.0.1:40003"];
const ctx = { urls, keySecret: "pw-secret", runId: "run1", bundledScriptPath: "/run/k6/bundle.js" };
const parse = (input: unknown) => K6Class.parse(input);

describe("server-list traffic classes (identityClients, identityPeople)", () => {
  it("hold a list of servers instead of one target, with the defaults the design describes", () => {
    const c = TrafficClass.parse(identityClients({ name: "clients", servers, ratePerSecond: 40, duration: "60s", keySecret: "pw" }));
    expect(c).toMatchObject({ script: "k6", requestTimeout: 2_000, checksReadYourWrites: true });
    expect(c.script === "k6" && c.env).toMatchObject({ RESUME: "last-good", SPREAD: "0", CLIENTS: "100" });
    expect(trafficTargets(c)).toEqual(servers);
    expect(c.script === "k6" && c.target).toBeUndefined();
  });

  it("refuse a server listed twice, an empty list, and a target instead of servers", () => {
    expect(TrafficClass.safeParse(identityClients({ name: "c", servers: [servers[0]!, servers[0]!], ratePerSecond: 1, duration: "5s", keySecret: "pw" })).success).toBe(false);
    expect(() => identityClients({ name: "c", servers: [], ratePerSecond: 1, duration: "5s", keySecret: "pw" })).toThrow(/servers/);
    expect(() => identityPeople({ name: "c", target: servers[0], users: 1, duration: "5s", keySecret: "pw" } as never)).toThrow(/target/);
  });

  it("k6 environment: every server URL in list order, attempts default to one per server, gracefulStop covers them all", () => {
    const [launch] = k6Launches(parse(identityClients({ name: "clients", servers, ratePerSecond: 40, clients: 50, duration: "60s", spread: true, keySecret: "pw" })), ctx);
    expect(launch!.env).toMatchObject({
      HAVOC_SERVERS: urls.join(","),
      RESUME: "last-good",
      SPREAD: "1",
      ATTEMPTS: "3",
      RATE_PER_SECOND: "40",
      CLIENTS: "50",
      HAVOC_KEY_SECRET: "pw-secret",
      HAVOC_TRAFFIC: "clients",
    });
    expect(launch!.gracefulStopMs).toBe(3 * 2_000 + 1_000);
    const [people] = k6Launches(parse(identityPeople({ name: "people", servers, users: 30, duration: "60s", resume: "first", attempts: 2, keySecret: "pw" })), ctx);
    expect(people!.env).toMatchObject({ USERS: "30", REQUESTS_PER_MINUTE: "30", RAMP_UP_MS: "5000", RESUME: "first", ATTEMPTS: "2" });
  });

  it("refuses any server that is not loopback", () => {
    const c = parse(identityClients({ name: "clients", servers, ratePerSecond: 1, duration: "5s", keySecret: "pw" }));
    expect(() => k6Launches(c, { ...ctx, urls: ["http://127.0.0.1:1", "http://10.0.0.2:8080", "http://127.0.0.1:3"] })).toThrow(/not loopback/);
  });

  it("a scenario names the server that is unknown or does not publish the port", () => {
    const input = { ...partition, traffic: [identityClients({ name: "clients", servers: [servers[0]!, { node: "id-9", port: 8080 }, { node: "id-2", port: 9999 }], ratePerSecond: 1, duration: "60s", keySecret: "client-passwords" })], slos: [{ id: "a", kind: "availability", traffic: "clients", atLeastPercent: 1 }], readback: [] };
    const result = Scenario.safeParse(input);
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toContain('traffic.0.servers.1.node: unknown node "id-9"; nodes: id-1, id-2, id-3');
    expect(messages).toContain('traffic.0.servers.2.port: port 9999 is not published by "id-2" (ports: [8080, 6379])');
  });
});

describe("a client's server list", () => {
  it("moves on after a timeout, a refused or reset connection, or a 5xx; a 4xx is an answer", () => {
    expect(shouldMoveOn("unknown", 0)).toBe(true); // timeout / reset
    expect(shouldMoveOn("fail", 0)).toBe(true); // refused
    expect(shouldMoveOn("fail", 503)).toBe(true);
    expect(shouldMoveOn("unknown", 504)).toBe(true);
    expect(shouldMoveOn("fail", 401)).toBe(false);
    expect(shouldMoveOn("fail", 409)).toBe(false);
    expect(shouldMoveOn("ok", 201)).toBe(false);
  });

  it("client n of a spread class holds the list rotated by n", () => {
    expect(rotated(["a", "b", "c"], 0)).toEqual(["a", "b", "c"]);
    expect(rotated(["a", "b", "c"], 1)).toEqual(["b", "c", "a"]);
    expect(rotated(["a", "b", "c"], 5)).toEqual(["c", "a", "b"]);
  });
});

describe("tokenActiveStale (a token the client was issued must validate)", () => {
  it("is false for an active token, true for one the service no longer knows", () => {
    expect(tokenActiveStale(200, '{"active":true,"account_id":"a"}')).toBe(false);
    expect(tokenActiveStale(200, '{"active":false}')).toBe(true);
  });
  it("gives no flag when the read failed or answered something else", () => {
    expect(tokenActiveStale(503, '{"active":false}')).toBeUndefined();
    expect(tokenActiveStale(0, null)).toBeUndefined();
    expect(tokenActiveStale(200, "not json")).toBeUndefined();
    expect(tokenActiveStale(200, '{"valid":true}')).toBeUndefined();
  });
});

describe("identity topology", () => {
  it("three servers with Redis, Sentinel and the app; id-1 starts as primary; each app asks its own Sentinel first", () => {
    const topology = identityTopology({ waitReplicas: 1, minReplicasToWrite: 1, appendfsync: "always", dataVolumeMb: 64 });
    expect(topology.nodes.map((n) => [n.name, n.role, n.env!.SENTINELS])).toEqual([
      ["id-1", "redis", "id-1:26379,id-2:26379,id-3:26379"],
      ["id-2", "redis", "id-2:26379,id-1:26379,id-3:26379"],
      ["id-3", "redis", "id-3:26379,id-1:26379,id-2:26379"],
    ]);
    expect(topology.nodes[1]!.env).toMatchObject({ INITIAL_PRIMARY: "id-1", QUORUM: "2", WAIT_REPLICAS: "1", MIN_REPLICAS_TO_WRITE: "1", APPENDFSYNC: "always" });
    expect(topology.nodes[0]!.dataVolume).toEqual({ path: "/data", sizeMb: 64 });
    expect(identityTopology({ dataVolumeKind: "lazyfs" }).nodes.map((n) => n.dataVolume)).toEqual(Array(3).fill({ path: "/data", sizeMb: 256, kind: "lazyfs" }));
    expect(topology.roles!.redis).toEqual({ primaryProbe: ["sh", "-c", "redis-cli role | head -n1"], expect: "master" });
  });
  it("refuses a negative or fractional option", () => {
    expect(() => identityTopology({ waitReplicas: -1 })).toThrow(/waitReplicas/);
    expect(() => identityTopology({ minReplicasMaxLagS: 1.5 })).toThrow(/minReplicasMaxLagS/);
  });
  it("reads back one class's keys from the primary and every server", () => {
    expect(identityReadback("clients")).toMatchObject({ kind: "redis", from: { primaryOf: "redis" }, scan: "*-clients-*", convergence: { role: "redis" } });
    expect(() => identityReadback("Bad Name")).toThrow(/lower-case/);
  });
});

describe("identity scenarios", () => {
  it("every file in scenarios/identity is a valid scenario", async () => {
    const { readdir } = await import("node:fs/promises");
    const files = (await readdir(new URL("../../scenarios/identity/", import.meta.url))).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) {
      const scenario = ((await import(`../../scenarios/identity/${file}`)) as { default: unknown }).default;
      const result = Scenario.safeParse(scenario);
      expect(result.success, `${file}: ${result.error?.message}`).toBe(true);
    }
  });
});
