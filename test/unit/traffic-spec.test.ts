import { describe, expect, it } from "vitest";
import { TrafficClass } from "../../load/traffic/registry.ts";
import { Scenario } from "../../scenario/scenario.ts";
import appNodeCrash from "../../scenarios/trackr/app-node-crash.ts";
import { abusiveClient, dashboardBrowsers, deviceFleet, userSessions } from "../../systems/trackr/traffic.ts";

const target = { node: "lb", port: 80 };
const env = (input: unknown) => (TrafficClass.parse(input) as { env: Record<string, string> }).env;

describe("TrafficClass schema and the reference systems' helpers", () => {
  it("a device fleet is a k6 class with the device-fleet defaults in its env", () => {
    const c = TrafficClass.parse(deviceFleet({ name: "devices", target, ratePerSecond: 50, duration: "60s" }));
    expect(c).toMatchObject({ name: "devices", script: "k6", target, duration: 60_000, requestTimeout: 2_000, keySecret: "device-key", processes: 1, gate: true, checksReadYourWrites: false });
    expect(env(deviceFleet({ name: "devices", target, ratePerSecond: 50, duration: "60s" }))).toEqual({ RATE_PER_SECOND: "50", DEVICES: "50", MAX_VUS: "200" });
    expect(Scenario.safeParse(appNodeCrash).success).toBe(true);
  });

  it("fills firmware retry defaults from an empty object", () => {
    expect(env(deviceFleet({ name: "d", target, ratePerSecond: 5, duration: "5s", retries: {} }))).toMatchObject({ RETRY_ATTEMPTS: "3", RETRY_BASE_MS: "200", RETRY_MAX_MS: "2000", RETRY_BUDGET_MS: "10000" });
  });

  it("user sessions take the design's model as defaults and check read-your-writes", () => {
    const c = TrafficClass.parse(userSessions({ name: "people", target, users: 2_500, duration: "10m" }));
    expect(c).toMatchObject({ checksReadYourWrites: true, gate: true });
    expect(env(userSessions({ name: "people", target, users: 2_500, duration: "10m" }))).toEqual({ USERS: "2500", REQUESTS_PER_MINUTE: "100", WRITES_PER_MINUTE: "1", RAMP_UP_MS: "10000", PROJECTS: "5" });
  });

  it("refuses more writes than requests and a ramp longer than the run", () => {
    expect(() => userSessions({ name: "p", target, users: 1, duration: "10s", requestsPerMinute: 1, writesPerMinute: 2 })).toThrow(/writesPerMinute/);
    expect(() => userSessions({ name: "p", target, users: 1, duration: "10s", rampUp: "10s" })).toThrow(/rampUp/);
  });

  it("abusive-client defaults: 200/s on one API key, not judged by the gate", () => {
    const c = TrafficClass.parse(abusiveClient({ name: "abuser", target, duration: "10s" }));
    expect(c.gate).toBe(false);
    expect(env(abusiveClient({ name: "abuser", target, duration: "10s" }))).toMatchObject({ RATE_PER_SECOND: "200", IDENTITY: "api-key", DEVICE: "999999" });
  });

  it("browser journeys have their own pace fields, a longer step timeout and a journey module", () => {
    const c = TrafficClass.parse(dashboardBrowsers({ name: "viewer", target, duration: "30s" }));
    expect(c).toMatchObject({ script: "browser", contexts: 2, journeysPerMinute: 12, maxJourneys: 1_000, requestTimeout: 15_000 });
    expect(c.script === "browser" && c.journey).toMatch(/systems\/trackr\/browser\/dashboard-journey\.ts$/);
    expect("processes" in c).toBe(false);
  });

  it("rejects fields of another kind, unknown kinds and bad helper options", () => {
    expect(TrafficClass.safeParse({ name: "d", script: "k6", file: "/x.ts", target, duration: "5s", users: 3 }).success).toBe(false);
    expect(TrafficClass.safeParse({ name: "d", script: "soak", target, duration: "5s" }).success).toBe(false);
    expect(TrafficClass.safeParse({ name: "d", script: "k6", file: "/x.ts", target, duration: "5s", processes: 0 }).success).toBe(false);
    expect(() => deviceFleet({ name: "d", target, ratePerSecond: 5, duration: "5s", users: 3 } as never)).toThrow(/users/);
  });
});
