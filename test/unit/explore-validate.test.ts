import { describe, expect, it } from "vitest";
import { validateGenerator } from "../../scenario/generator/validate-generator.ts";
import { parseSpec } from "../../engine/explore/testing/fixtures.ts";
import { TEST_NODES, testEffect, testResolveTargets } from "../../engine/explore/testing/simulated-topology.ts";

const hooks = { effect: testEffect, resolveTargets: testResolveTargets };
const baseInput = {
  mix: [
    { fault: { kind: "kill", target: { role: "app" } } },
    { fault: { kind: "pause", target: { role: "db" } } },
    { fault: { kind: "delay", target: { role: "db" } } },
  ],
  staggerMs: "4s",
  durationMs: { min: "2s", max: "12s" },
  maxConcurrent: 3,
  phases: { quietStartMs: "5s", chaosEndMs: "60s" },
  limits: { maxDownFraction: "minority", protectRoles: ["load"] },
};

function issuesFor(change: Record<string, unknown>, nodes = TEST_NODES) {
  return validateGenerator(parseSpec({ ...baseInput, ...change }), nodes, hooks);
}

describe("validateGenerator", () => {
  it("accepts a spec it can satisfy", () => {
    expect(issuesFor({})).toEqual([]);
  });

  it("refuses maxConcurrent 3 of down faults on 3 nodes under a minority limit, naming maxConcurrent", () => {
    const nodes = [{ name: "n1" }, { name: "n2" }, { name: "n3" }];
    const issues = issuesFor({ mix: [{ fault: { kind: "kill", target: {} } }, { fault: { kind: "pause", target: {} } }], limits: { maxDownFraction: "minority" } }, nodes);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toEqual(["maxConcurrent"]);
    expect(issues[0]!.message).toMatch(/maxConcurrent 3 cannot be reached.*at most 1 of the nodes.*lower maxConcurrent to 1/);
  });

  it("allows that maxConcurrent once a fault that takes nothing down is in the mix", () => {
    const nodes = [{ name: "n1" }, { name: "n2" }, { name: "n3" }];
    expect(issuesFor({ mix: [{ fault: { kind: "kill", target: {} } }, { fault: { kind: "delay", target: {} } }], limits: { maxDownFraction: "minority" } }, nodes)).toEqual([]);
  });

  it("counts per-role budgets: two app kills at once need a limit above a minority of 3", () => {
    const mix = [{ fault: { kind: "kill", target: { role: "app" } } }];
    expect(issuesFor({ mix, maxConcurrent: 2 }).map((i) => i.path)).toEqual([["maxConcurrent"]]);
    expect(issuesFor({ mix, maxConcurrent: 2, limits: { maxDownFraction: 0.67 } })).toEqual([]);
  });

  it("refuses a template whose target matches no node, or only protected ones", () => {
    const issues = issuesFor({ mix: [{ fault: { kind: "kill", target: { role: "cache" } } }, { fault: { kind: "delay", target: { role: "load" } } }, { fault: { kind: "delay", target: { names: ["lb"] } } }] });
    expect(issues).toEqual([
      { path: ["mix", 0, "fault", "target"], message: expect.stringMatching(/template 0 \(kill\) matches no node \(nodes: lb \(lb\), app-1 \(app\)/) },
      { path: ["mix", 1, "fault", "target"], message: "template 1 (delay) matches only protected nodes (limits.protectRoles: load), so it can never be drawn" },
    ]);
  });

  it("refuses a down template that alone breaks the limit", () => {
    const issues = issuesFor({ mix: [{ fault: { kind: "kill", target: { role: "app", mode: "majority" } } }, { fault: { kind: "delay", target: {} } }] });
    expect(issues).toEqual([{ path: ["mix", 0, "fault", "target"], message: expect.stringContaining('would put 2 of 3 nodes of role "app" down (at most 1)') }]);
  });

  it("refuses a chaos phase shorter than durationMs.min", () => {
    const issues = issuesFor({ phases: { quietStartMs: "50s", chaosEndMs: "51s" } });
    expect(issues).toEqual([{ path: ["phases", "chaosEndMs"], message: expect.stringContaining("lasts 1000 ms, shorter than durationMs.min 2000 ms") }]);
  });

  it("refuses weights that are all zero", () => {
    const issues = issuesFor({ mix: [{ weight: 0, fault: { kind: "kill", target: { role: "app" } } }, { weight: 0, fault: { kind: "delay", target: { role: "db" } } }] });
    expect(issues).toEqual([{ path: ["mix"], message: expect.stringContaining("every weight is 0") }]);
  });

  it("refuses a protected role no node has (a typo would protect nothing)", () => {
    const issues = issuesFor({ limits: { maxDownFraction: "minority", protectRoles: ["loadgen"] } });
    expect(issues).toEqual([{ path: ["limits", "protectRoles", 0], message: 'no node has role "loadgen", so it protects nothing (roles: lb, app, db, load)' }]);
  });
});
