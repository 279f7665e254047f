import { describe, expect, it } from "vitest";
import { TrafficClass } from "../../core/traffic-spec.ts";
import { Scenario } from "../../core/scenario.ts";
import appNodeCrash from "../../scenarios/trackr/app-node-crash.ts";

const target = { node: "lb", port: 80 };

describe("TrafficClass schema", () => {
  it("keeps the device-fleet fields and defaults as they were (existing scenarios parse unchanged)", () => {
    const c = TrafficClass.parse({ name: "devices", script: "device-fleet", target, ratePerSecond: 50, duration: "60s" });
    expect(c).toEqual({
      name: "devices", script: "device-fleet", target, ratePerSecond: 50, duration: 60_000, devices: 50, requestTimeout: 2_000,
      keySecret: "device-key", maxVUs: 200, processes: 1, gate: true,
    });
    expect(c.script === "device-fleet" && c.retries).toBeUndefined();
    expect(Scenario.safeParse(appNodeCrash).success).toBe(true);
  });

  it("fills firmware retry defaults from an empty object", () => {
    const c = TrafficClass.parse({ name: "d", script: "device-fleet", target, ratePerSecond: 5, duration: "5s", retries: {} });
    expect(c.script === "device-fleet" && c.retries).toEqual({ attempts: 3, baseDelay: 200, maxDelay: 2_000, budget: 10_000 });
  });

  it("parses user-sessions with the design's model as defaults", () => {
    const c = TrafficClass.parse({ name: "people", script: "user-sessions", target, users: 2_500, duration: "10m" });
    expect(c).toMatchObject({ users: 2_500, requestsPerMinute: 100, writesPerMinute: 1, rampUp: 10_000, projects: 5, processes: 1, gate: true });
  });

  it("refuses more writes than requests and a ramp longer than the run", () => {
    expect(TrafficClass.safeParse({ name: "p", script: "user-sessions", target, users: 1, duration: "10s", requestsPerMinute: 1, writesPerMinute: 2 }).success).toBe(false);
    expect(TrafficClass.safeParse({ name: "p", script: "user-sessions", target, users: 1, duration: "10s", rampUp: "10s" }).success).toBe(false);
  });

  it("abusive-client defaults: 200/s on one API key, not judged by the gate", () => {
    const c = TrafficClass.parse({ name: "abuser", script: "abusive-client", target, duration: "10s" });
    expect(c).toMatchObject({ ratePerSecond: 200, identity: "api-key", device: 999_999, gate: false });
  });

  it("browser journeys have their own pace fields and a longer step timeout", () => {
    const c = TrafficClass.parse({ name: "viewer", script: "browser", target, duration: "30s" });
    expect(c).toMatchObject({ contexts: 2, journeysPerMinute: 12, maxJourneys: 1_000, requestTimeout: 15_000 });
    expect("processes" in c).toBe(false);
  });

  it("rejects fields of another script and unknown scripts", () => {
    expect(TrafficClass.safeParse({ name: "d", script: "device-fleet", target, ratePerSecond: 5, duration: "5s", users: 3 }).success).toBe(false);
    expect(TrafficClass.safeParse({ name: "d", script: "soak", target, duration: "5s" }).success).toBe(false);
    expect(TrafficClass.safeParse({ name: "d", script: "device-fleet", target, ratePerSecond: 5, duration: "5s", processes: 0 }).success).toBe(false);
  });
});
