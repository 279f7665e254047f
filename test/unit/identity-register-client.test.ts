import { describe, expect, it } from "vitest";
import * as register from "../../systems/identity/clients/register.ts";
import { outcomeOf } from "../../systems/identity/clients/redis-primary.ts";

/**
 * The pure parts of the identity (Redis) register client: the Lua compare-and-set's answer, GET's answer as a
 * register value, and how WAIT's answer and a driver's error make an op ok, fail or info. The client against the
 * real servers runs in test/integration/identity-register.test.ts (nightly).
 */

const replyError = (message: string) => Object.assign(new Error(message), { name: "ReplyError" });

describe("identity register client: the CAS script's answer", () => {
  it("1 swapped, 0 did not match; anything else is an error, never a guess", () => {
    expect(register.casSwapped(1)).toBe(true);
    expect(register.casSwapped(0)).toBe(false);
    for (const odd of [null, "1", 2, [1], undefined]) expect(() => register.casSwapped(odd)).toThrow(/the CAS script answered .*, not 1 or 0/);
  });

  it("the script compares with GET and writes with SET only on a match, and declares itself a writer (refused on a replica before it runs)", () => {
    expect(register.CAS_SCRIPT.startsWith("#!lua\n")).toBe(true);
    expect(register.CAS_SCRIPT).not.toMatch(/flags=/);
    expect(register.CAS_SCRIPT).toMatch(/if redis\.call\('GET', KEYS\[1\]\) == ARGV\[1\] then\s+redis\.call\('SET', KEYS\[1\], ARGV\[2\]\)\s+return 1\s+end\s+return 0/);
  });
});

describe("identity register client: GET's answer", () => {
  it("null for a key never written, the integer otherwise; a value the workload never wrote is an error naming the key", () => {
    expect(register.registerValue(3, null)).toBeNull();
    expect(register.registerValue(3, "42")).toBe(42);
    expect(register.registerValue(3, "-7")).toBe(-7);
    expect(() => register.registerValue(3, "4.5")).toThrow(/GET of key 3 answered "4.5", not an integer the workload wrote/);
    expect(() => register.registerValue(3, "")).toThrow(/not an integer/);
    expect(() => register.registerValue(3, "99999999999999999999")).toThrow(/not an integer/);
  });
});

describe("identity register client: WAIT", () => {
  const read = { value: 5, changed: false, matched: true };
  const write = { value: null, changed: true, matched: true };
  const swapped = { value: null, changed: true, matched: true };
  const mismatch = { value: null, changed: false, matched: false };

  it("without WAIT (wanted 0): ok, and a CAS that did not match is the register's own no (fail without error, checked)", () => {
    expect(register.outcomeAfterWait(read, 0, 0, "id-1")).toEqual({ type: "ok", value: 5, node: "id-1" });
    expect(register.outcomeAfterWait(write, 0, 0, "id-1")).toEqual({ type: "ok", value: null, node: "id-1" });
    expect(register.outcomeAfterWait(mismatch, 0, 0, "id-1")).toEqual({ type: "fail", cause: "cas-mismatch" });
  });

  it("enough replicas: the same as without WAIT", () => {
    expect(register.outcomeAfterWait(swapped, 1, 1, "id-3")).toEqual({ type: "ok", value: null, node: "id-3" });
    expect(register.outcomeAfterWait(read, 2, 1, "id-3")).toEqual({ type: "ok", value: 5, node: "id-3" });
    expect(register.outcomeAfterWait(mismatch, 1, 1, "id-3")).toEqual({ type: "fail", cause: "cas-mismatch" });
  });

  it("short: a write or a CAS that swapped is info (on the primary, maybe on no replica); a read or a CAS that did not match fails with the reason", () => {
    const error = "WAIT 1: 0 replica(s) acknowledged in time";
    expect(register.outcomeAfterWait(write, 0, 1, "id-1")).toEqual({ type: "info", cause: "wait-short", error });
    expect(register.outcomeAfterWait(swapped, 0, 1, "id-1")).toEqual({ type: "info", cause: "wait-short", error });
    expect(register.outcomeAfterWait(read, 0, 1, "id-1")).toEqual({ type: "fail", cause: "wait-short", error, reconnect: true });
    // With an error the checker leaves it out: a "no" vouched for by no replica is no observation.
    expect(register.outcomeAfterWait(mismatch, 0, 1, "id-1")).toEqual({ type: "fail", cause: "wait-short", error, reconnect: true });
  });
});

describe("identity register client: errors", () => {
  it("a replica refusing SET or the script (READONLY), or a primary short of replicas (NOREPLICAS): nothing ran, reconnect", () => {
    expect(outcomeOf(replyError("READONLY Can not run script with write flag on readonly replica"), true, true)).toMatchObject({ type: "fail", cause: "readonly", reconnect: true });
    expect(outcomeOf(replyError("NOREPLICAS Not enough good replicas to write."), true, true)).toMatchObject({ type: "fail", cause: "noreplicas", reconnect: true });
  });

  it("a timeout or a dropped connection after sending: info for a write or CAS (it may have run), fail for a read", () => {
    expect(outcomeOf(new Error("Command timed out"), true, true)).toMatchObject({ type: "info", cause: "timeout" });
    expect(outcomeOf(new Error("Connection is closed."), true, true)).toMatchObject({ type: "info", cause: "connection" });
    expect(outcomeOf(new Error("Connection is closed."), true, false)).toMatchObject({ type: "fail", cause: "connection", reconnect: true });
    expect(outcomeOf(new Error("connection to id-1 is end"), false, true)).toMatchObject({ type: "fail", cause: "not-connected", reconnect: true });
  });

  it("validates options, naming the client", () => {
    expect(register.optionsOf({})).toEqual({ waitReplicas: 0, waitTimeoutMs: 500, keyPrefix: "register:" });
    expect(() => register.optionsOf({ waitReplicas: 1.5 })).toThrow(/identity register client: waitReplicas must be a non-negative integer, got 1.5/);
    expect(() => register.optionsOf({ keyPrefix: "a b" })).toThrow(/identity register client: bad keyPrefix "a b"/);
  });
});

describe("identity register traffic helper", () => {
  it("a register class over every server's Redis, WAIT passed to the client", async () => {
    const { WorkloadClass } = await import("../../load/traffic/workload.ts");
    const { identityRegister } = await import("../../systems/identity/traffic.ts");
    const c = WorkloadClass.parse(identityRegister({ durationS: 20, waitReplicas: 1 }));
    expect(c.workload).toBe("register");
    expect(c.servers?.map((s) => s.node)).toEqual(["id-1", "id-2", "id-3"]);
    expect(c.clientOptions).toEqual({ waitReplicas: 1, waitTimeoutMs: 500 });
    expect(c.client).toMatch(/systems\/identity\/clients\/register\.ts$/);
  });
});
