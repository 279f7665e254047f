import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { executionSegments, K6Class, k6Launches } from "../../load/traffic/k6.ts";
import { identityClients } from "../../systems/identity/traffic.ts";
import { abusiveClient, deviceFleet, userSessions } from "../../systems/trackr/traffic.ts";

const target = { node: "lb", port: 80 };
const ctx = { urls: ["http://127.0.0.1:40000"], keySecret: "s3cret", runId: "run1", bundledScriptPath: "/run/k6/bundle.js" };

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

describe("k6Launches of the reference systems' classes (the public k6 path)", () => {
  it("device fleet without retries: havoc's settings plus the script's own, one process named after the class", () => {
    const c = K6Class.parse(deviceFleet({ name: "devices", target, ratePerSecond: 50, duration: "60s" }));
    const [launch, ...more] = k6Launches(c, ctx);
    expect(more).toEqual([]);
    expect(c.file).toMatch(/systems\/trackr\/k6\/device-fleet\.ts$/);
    expect(launch!.label).toBe("devices");
    expect(launch!.scriptPath).toBe(ctx.bundledScriptPath);
    expect(launch!.env).toEqual({
      RATE_PER_SECOND: "50", DEVICES: "50", MAX_VUS: "200",
      HAVOC_TARGET_URL: ctx.urls[0], HAVOC_DURATION_MS: "60000", HAVOC_TIMEOUT_MS: "2000", HAVOC_GRACEFUL_STOP_MS: "3000",
      HAVOC_TRAFFIC: "devices", HAVOC_RUN_ID: "run1", HAVOC_KEY_SECRET: "s3cret",
    });
    expect(launch!.gracefulStopMs).toBe(3_000);
  });

  it("device fleet with retries: retry env, gracefulStop covers the budget", () => {
    const [launch] = k6Launches(K6Class.parse(deviceFleet({ name: "d", target, ratePerSecond: 5, duration: "5s", retries: { attempts: 4, budget: "5s" } })), ctx);
    expect(launch!.env).toMatchObject({ RETRY_ATTEMPTS: "4", RETRY_BASE_MS: "200", RETRY_MAX_MS: "2000", RETRY_BUDGET_MS: "5000", HAVOC_GRACEFUL_STOP_MS: "8000" });
    expect(launch!.gracefulStopMs).toBe(3_000 + 5_000);
  });

  it("a class over 2 processes: same env plus one segment each, distinct labels", () => {
    const c = K6Class.parse(userSessions({ name: "people", target, users: 100, duration: "60s", processes: 2 }));
    const launches = k6Launches(c, ctx);
    expect(launches.map((l) => [l.label, l.env.HAVOC_SEGMENT, l.env.HAVOC_SEGMENT_SEQUENCE])).toEqual([
      ["people.p1of2", "0:1/2", "0,1/2,1"],
      ["people.p2of2", "1/2:1", "0,1/2,1"],
    ]);
    expect(launches[0]!.env).toMatchObject({ USERS: "100", REQUESTS_PER_MINUTE: "100", WRITES_PER_MINUTE: "1", RAMP_UP_MS: "10000", PROJECTS: "5" });
    expect(c.checksReadYourWrites).toBe(true);
  });

  it("abusive client env, left out of the gate", () => {
    const c = K6Class.parse(abusiveClient({ name: "abuser", target, duration: "10s", identity: "ip" }));
    expect(c.gate).toBe(false);
    expect(k6Launches(c, ctx)[0]!.env).toMatchObject({ RATE_PER_SECOND: "200", IDENTITY: "ip", DEVICE: "999999", MAX_VUS: "100" });
  });

  it("a server list: every server's URL, the first as the target, and a gracefulStop for every attempt", () => {
    const c = K6Class.parse(identityClients({ name: "clients", servers: [{ node: "id-1", port: 8080 }, { node: "id-2", port: 8080 }], ratePerSecond: 5, duration: "10s", keySecret: "pw" }));
    const [launch] = k6Launches(c, { ...ctx, urls: ["http://127.0.0.1:1", "http://127.0.0.1:2"] });
    expect(launch!.env).toMatchObject({ HAVOC_TARGET_URL: "http://127.0.0.1:1", HAVOC_SERVERS: "http://127.0.0.1:1,http://127.0.0.1:2", ATTEMPTS: "2", RESUME: "last-good", SPREAD: "0" });
    expect(launch!.gracefulStopMs).toBe(2 * 2_000 + 1_000);
  });

  it("refuses a target that is not loopback, for every class", () => {
    const remote = { ...ctx, urls: ["http://10.0.0.5:80"] };
    for (const input of [
      deviceFleet({ name: "d", target, ratePerSecond: 5, duration: "5s" }),
      userSessions({ name: "u", target, users: 5, duration: "5s", rampUp: "0s" }),
      abusiveClient({ name: "a", target, duration: "5s" }),
    ]) {
      expect(() => k6Launches(K6Class.parse(input), remote), input.name).toThrow(/not loopback/);
    }
  });

  it("a helper refuses bad options, naming the helper and the field", () => {
    expect(() => deviceFleet({ name: "d", target, ratePerSecond: 0, duration: "5s" })).toThrow(/deviceFleet\(d\): at ratePerSecond/);
    expect(() => userSessions({ name: "u", target, users: 5, duration: "5s", rampUp: "6s" })).toThrow(/userSessions\(u\): at rampUp: rampUp must be shorter than duration/);
  });
});
