import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { assertOwnTarget } from "../../env/target-guard.ts";

const run = { publishedHostPorts: () => new Set([34567, 34568]) };

describe("target guard", () => {
  it("allows loopback ports the run publishes", () => {
    expect(() => assertOwnTarget("http://127.0.0.1:34567/api", run, "traffic devices")).not.toThrow();
    expect(() => assertOwnTarget("http://[::1]:34568", run, "traffic devices")).not.toThrow();
  });

  it.each([
    ["http://10.0.0.5:34567", /only to 127\.0\.0\.1 or ::1/],
    ["http://192.168.1.10:80", /only to 127\.0\.0\.1 or ::1/],
    ["http://localhost:34567", /only to 127\.0\.0\.1 or ::1/],
    ["http://example.com", /only to 127\.0\.0\.1 or ::1/],
    ["http://127.0.0.1:22", /port 22 is not published by this run/],
    ["http://127.0.0.1", /port 80 is not published by this run/],
    ["not a url", /is not a URL/],
  ])("refuses %s before sending anything", (url, why) => {
    let error: unknown;
    try {
      assertOwnTarget(url, run, "traffic devices");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toContain("traffic devices");
  });
});

describe("target guard with declared hosts", () => {
  const spanning = { publishedHostPorts: () => new Set([34567]), remoteEndpoints: () => new Map([["172.17.0.2", new Set([41000, 41001])]]) };

  it("allows ports the run's containers publish on a declared host's address", () => {
    expect(() => assertOwnTarget("http://172.17.0.2:41000/healthz", spanning, "probe of app-1")).not.toThrow();
    expect(() => assertOwnTarget("http://127.0.0.1:34567", spanning, "probe of db")).not.toThrow();
  });

  it.each([
    ["http://172.17.0.2:22", /port 22 is not published by this run's containers on 172\.17\.0\.2/],
    ["http://172.17.0.3:41000", /only to 127\.0\.0\.1 or ::1, or a declared host's address \(172\.17\.0\.2\)/],
    ["http://127.0.0.1:41000", /port 41000 is not published by this run/],
  ])("refuses %s: a declared host's ports are its own, no other address passes", (url, why) => {
    expect(() => assertOwnTarget(url, spanning, "traffic devices")).toThrow(why);
  });
});
