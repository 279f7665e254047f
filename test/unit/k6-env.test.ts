import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { TrafficClass, type K6TrafficClass } from "../../core/traffic-spec.ts";
import { executionSegments, k6Launches, k6ScriptPaths } from "../../load/k6-env.ts";

const target = { node: "lb", port: 80 };
const ctx = { targetUrl: "http://127.0.0.1:40000", deviceKeySecret: "s3cret", runId: "run1" };
const k6Class = (input: unknown) => TrafficClass.parse(input) as K6TrafficClass;

describe("executionSegments", () => {
  it("one process: no segment", () => {
    expect(executionSegments(1)).toEqual([{ segment: "", sequence: "" }]);
  });
  it("N processes: contiguous segments of one sequence covering 0..1", () => {
    expect(executionSegments(3)).toEqual([
      { segment: "0:1/3", sequence: "0,1/3,2/3,1" },
      { segment: "1/3:2/3", sequence: "0,1/3,2/3,1" },
      { segment: "2/3:1", sequence: "0,1/3,2/3,1" },
    ]);
  });
  it("refuses 0", () => expect(() => executionSegments(0)).toThrow(InputError));
});

describe("k6Launches", () => {
  it("device fleet without retries: the environment the script always had, one process named after the class", () => {
    const [launch, ...more] = k6Launches(k6Class({ name: "devices", script: "device-fleet", target, ratePerSecond: 50, duration: "60s" }), ctx);
    expect(more).toEqual([]);
    expect(launch!.label).toBe("devices");
    expect(launch!.scriptPath).toBe(k6ScriptPaths["device-fleet"]);
    expect(launch!.env).toEqual({
      HAVOC_TARGET_URL: ctx.targetUrl, HAVOC_RATE: "50", HAVOC_DURATION_MS: "60000", HAVOC_DEVICES: "50", HAVOC_DEVICE_KEY_SECRET: "s3cret",
      HAVOC_TIMEOUT_MS: "2000", HAVOC_MAX_VUS: "200", HAVOC_TRAFFIC: "devices", HAVOC_RUN_ID: "run1",
    });
    expect(launch!.gracefulStopMs).toBe(3_000);
  });

  it("device fleet with retries: retry env, gracefulStop covers the budget", () => {
    const [launch] = k6Launches(k6Class({ name: "d", script: "device-fleet", target, ratePerSecond: 5, duration: "5s", retries: { attempts: 4, budget: "5s" } }), ctx);
    expect(launch!.env).toMatchObject({ HAVOC_RETRY_ATTEMPTS: "4", HAVOC_RETRY_BASE_MS: "200", HAVOC_RETRY_MAX_MS: "2000", HAVOC_RETRY_BUDGET_MS: "5000" });
    expect(launch!.gracefulStopMs).toBe(3_000 + 5_000);
  });

  it("a class over 2 processes: same env plus one segment each, distinct labels", () => {
    const launches = k6Launches(k6Class({ name: "people", script: "user-sessions", target, users: 100, duration: "60s", processes: 2 }), ctx);
    expect(launches.map((l) => [l.label, l.env.HAVOC_SEGMENT, l.env.HAVOC_SEGMENT_SEQUENCE])).toEqual([
      ["people.p1of2", "0:1/2", "0,1/2,1"],
      ["people.p2of2", "1/2:1", "0,1/2,1"],
    ]);
    expect(launches[0]!.env).toMatchObject({ HAVOC_USERS: "100", HAVOC_REQUESTS_PER_MINUTE: "100", HAVOC_WRITES_PER_MINUTE: "1", HAVOC_RAMP_UP_MS: "10000", HAVOC_PROJECTS: "5" });
    expect(launches[0]!.scriptPath).toBe(k6ScriptPaths["user-sessions"]);
  });

  it("abusive client env", () => {
    const [launch] = k6Launches(k6Class({ name: "abuser", script: "abusive-client", target, duration: "10s", identity: "ip" }), ctx);
    expect(launch!.env).toMatchObject({ HAVOC_RATE: "200", HAVOC_IDENTITY: "ip", HAVOC_DEVICE: "999999", HAVOC_MAX_VUS: "100" });
  });

  it("refuses a target that is not loopback, for every script", () => {
    const remote = { ...ctx, targetUrl: "http://10.0.0.5:80" };
    for (const input of [
      { name: "d", script: "device-fleet", target, ratePerSecond: 5, duration: "5s" },
      { name: "u", script: "user-sessions", target, users: 5, duration: "5s", rampUp: 0 },
      { name: "a", script: "abusive-client", target, duration: "5s" },
    ]) {
      expect(() => k6Launches(k6Class(input), remote), input.script).toThrow(/not loopback/);
    }
  });
});
