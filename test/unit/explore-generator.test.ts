import { describe, expect, it } from "vitest";
import { generateFaults } from "../../scenario/generator/generator.ts";
import { generate, maxActive, parseSpec, testGeneratorSchema } from "../../engine/explore/testing/fixtures.ts";
import { TEST_NODES, testEffect, testResolveTargets, type TestTemplate } from "../../engine/explore/testing/simulated-topology.ts";

const baseInput = {
  mix: [
    { weight: 2, fault: { kind: "kill", target: { role: "app" } } },
    { weight: 2, fault: { kind: "pause", target: { role: "app" } } },
    { fault: { kind: "delay", target: { role: "db" } } },
  ],
  staggerMs: "4s",
  durationMs: { min: "2s", max: "12s" },
  maxConcurrent: 3,
  phases: { quietStartMs: "5s", chaosEndMs: "60s" },
  limits: { protectRoles: ["load"] },
};
const base = parseSpec(baseInput);
const SEEDS = Array.from({ length: 1000 }, (_, i) => i + 1);

/** Nodes down at the start of every fault (the count only rises at starts). */
function downSetsAtStarts(faults: ReturnType<typeof generate>): Set<string>[] {
  return faults.map((f) => new Set(faults.filter((g) => g.downs && g.atMs <= f.atMs && f.atMs < g.healAtMs).flatMap((g) => g.targets)));
}

describe("a node already down", () => {
  it("takes no other fault, not even one that takes nothing down (a network fault needs the node running)", () => {
    const spec = parseSpec({ ...baseInput, mix: [{ fault: { kind: "kill", target: { role: "db" } } }, { fault: { kind: "delay", target: { role: "db" } } }], maxConcurrent: 2 });
    let degradedBesideDown = 0;
    for (const seed of SEEDS) {
      const faults = generate(spec, seed);
      for (const f of faults) {
        const downByOthers = faults.filter((g) => g !== f && g.downs && g.atMs <= f.atMs && f.atMs < g.healAtMs).flatMap((g) => g.targets);
        expect(f.targets.filter((t) => downByOthers.includes(t))).toEqual([]);
        if (!f.downs && downByOthers.length > 0) degradedBesideDown += 1;
      }
    }
    // The overlap itself still happens: a delay on one db node while another is down.
    expect(degradedBesideDown).toBeGreaterThan(0);
  });
});

describe("faultGeneratorSchema", () => {
  it("parses durations, fills defaults and strips nothing the template needs", () => {
    const spec = parseSpec({ ...baseInput, maxConcurrent: undefined, limits: undefined, phases: { chaosEndMs: "1m" } });
    expect(spec.staggerMs).toBe(4_000);
    expect(spec.durationMs).toEqual({ min: 2_000, max: 12_000 });
    expect(spec.maxConcurrent).toBe(1);
    expect(spec.phases).toEqual({ quietStartMs: 0, chaosEndMs: 60_000 });
    expect(spec.limits).toEqual({ protectRoles: [] });
    expect(spec.mix.map((m) => m.weight)).toEqual([2, 2, 1]);
    expect(spec.mix[0]!.fault).toEqual({ kind: "kill", target: { role: "app" } });
  });

  it("refuses scheduling fields in a template and reports template errors at their full path", () => {
    const result = testGeneratorSchema.safeParse({
      ...baseInput,
      mix: [{ fault: { kind: "kill", target: { role: "app" }, at: 1_000, id: "k" } }, { fault: { kind: "kill", target: { role: 3 } } }, { fault: { kind: "explode", target: {} } }],
    });
    expect(result.success).toBe(false);
    const issues = result.error!.issues.map((i) => ({ path: i.path, message: i.message }));
    expect(issues).toContainEqual({ path: ["mix", 0, "fault", "id"], message: '"id" is chosen by the generator; remove it from the template' });
    expect(issues).toContainEqual({ path: ["mix", 0, "fault", "at"], message: '"at" is chosen by the generator; remove it from the template' });
    expect(issues.map((i) => i.path)).toContainEqual(["mix", 1, "fault", "target", "role"]);
    expect(issues.map((i) => i.path)).toContainEqual(["mix", 2, "fault", "kind"]);
  });

  it("refuses max below min, an empty mix and a chaos phase that ends before it starts, naming the field", () => {
    const result = testGeneratorSchema.safeParse({ ...baseInput, mix: [], durationMs: { min: "5s", max: "1s" }, phases: { quietStartMs: "10s", chaosEndMs: "5s" }, limits: { maxDownFraction: 2 } });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path);
    expect(paths).toContainEqual(["mix"]);
    expect(paths).toContainEqual(["durationMs", "max"]);
    expect(paths).toContainEqual(["phases", "chaosEndMs"]);
    expect(paths).toContainEqual(["limits", "maxDownFraction"]);
  });
});

describe("generateFaults", () => {
  it("gives the same plan for the same spec, seed and nodes, and different plans for different seeds", () => {
    expect(generate(base, 42)).toEqual(generate(base, 42));
    const distinct = new Set(SEEDS.slice(0, 50).map((seed) => JSON.stringify(generate(base, seed))));
    expect(distinct.size).toBe(50);
  });

  it("names faults gen-<index>-<kind> in injection order", () => {
    const faults = generate(base, 7);
    expect(faults.length).toBeGreaterThan(3);
    faults.forEach((f, i) => expect(f.id).toBe(`gen-${i}-${f.kind}`));
    expect(faults.map((f) => f.atMs)).toEqual([...faults.map((f) => f.atMs)].sort((a, b) => a - b));
  });

  it("never exceeds maxConcurrent, and reaches it when it allows overlaps", () => {
    for (const maxConcurrent of [1, 2, 3]) {
      const spec = { ...base, maxConcurrent };
      const peaks = SEEDS.map((seed) => maxActive(generate(spec, seed)));
      expect(Math.max(...peaks)).toBe(maxConcurrent);
      if (maxConcurrent > 1) expect(peaks.filter((p) => p >= 2).length).toBeGreaterThan(500);
    }
  });

  it("keeps every fault inside the chaos phase with a duration in [min, max]", () => {
    const spec = { ...base, phases: { quietStartMs: 20_000, chaosEndMs: 45_000 } };
    let faults = 0;
    for (const seed of SEEDS) {
      for (const f of generate(spec, seed)) {
        faults += 1;
        expect(f.atMs).toBeGreaterThanOrEqual(20_000);
        expect(f.atMs).toBeLessThan(45_000);
        expect(f.healAtMs).toBeLessThanOrEqual(45_000);
        expect(f.healAtMs - f.atMs).toBeGreaterThanOrEqual(2_000);
        expect(f.healAtMs - f.atMs).toBeLessThanOrEqual(12_000);
      }
    }
    expect(faults).toBeGreaterThan(2_000);
  });

  it("never puts more than a strict minority of a role or of the topology down at once, over 1000 seeds, while down faults still overlap", () => {
    // Targets anywhere but the load generator, so every role and the topology limit are exercised.
    const spec = parseSpec({
      ...baseInput,
      mix: [{ fault: { kind: "kill", target: {} } }, { fault: { kind: "pause", target: {} } }, { fault: { kind: "isolate", target: { role: "db", mode: "minority" } } }],
      maxConcurrent: 4,
      limits: { maxDownFraction: "minority", protectRoles: ["load"] },
    });
    let overlappingDowns = 0;
    for (const seed of SEEDS) {
      for (const down of downSetsAtStarts(generate(spec, seed))) {
        const inRole = (role: string) => TEST_NODES.filter((n) => n.role === role && down.has(n.name)).length;
        expect(inRole("app")).toBeLessThanOrEqual(1);
        expect(inRole("db")).toBeLessThanOrEqual(1);
        expect(inRole("lb")).toBe(0);
        expect(down.size).toBeLessThanOrEqual(3);
        if (down.size >= 2) overlappingDowns += 1;
      }
    }
    expect(overlappingDowns).toBeGreaterThan(500);
  });

  it("with a fraction limit allows that share down (2 of 3 app nodes at 0.67) and no more", () => {
    const spec = parseSpec({ ...baseInput, limits: { maxDownFraction: 0.67 } });
    let twoDown = 0;
    for (const seed of SEEDS) {
      for (const down of downSetsAtStarts(generate(spec, seed))) {
        const apps = [...down].filter((n) => n.startsWith("app-")).length;
        expect(apps).toBeLessThanOrEqual(2);
        if (apps === 2) twoDown += 1;
      }
    }
    expect(twoDown).toBeGreaterThan(100);
  });

  it("never targets a protected role, even when target resolution ignores the eligible nodes", () => {
    const spec = parseSpec({ ...baseInput, mix: [{ fault: { kind: "kill", target: {} } }, { fault: { kind: "delay", target: { mode: "majority" } } }] });
    let faults = 0;
    for (const seed of SEEDS) {
      const ignoring = generateFaults(spec, { seed, nodes: TEST_NODES, effect: testEffect, resolveTargets: (t: TestTemplate, rng) => testResolveTargets(t, rng, TEST_NODES) });
      for (const f of [...generate(spec, seed), ...ignoring]) {
        faults += 1;
        expect(f.targets).not.toContain("loadgen");
      }
    }
    expect(faults).toBeGreaterThan(5_000);
  });

  it("never draws a template of weight 0, and stops at maxFaults", () => {
    const spec = parseSpec({ ...baseInput, mix: [{ weight: 0, fault: { kind: "kill", target: { role: "app" } } }, { fault: { kind: "delay", target: { role: "db" } } }], maxFaults: 3 });
    for (const seed of SEEDS.slice(0, 200)) {
      const faults = generate(spec, seed);
      expect(faults.every((f) => f.kind === "delay")).toBe(true);
      expect(faults.length).toBeLessThanOrEqual(3);
    }
  });

  it("ends, with no fault, when a limit refuses every draw", () => {
    // The only lb node: a strict minority of one node is none.
    const spec = parseSpec({ ...baseInput, mix: [{ fault: { kind: "kill", target: { role: "lb" } } }], limits: { maxDownFraction: "minority" } });
    let calls = 0;
    const faults = generateFaults(spec, { seed: 1, nodes: TEST_NODES, effect: testEffect, resolveTargets: (t, rng, eligible) => (calls++, testResolveTargets(t, rng, eligible)) });
    expect(faults).toEqual([]);
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(10_000 * 8);
  });

  it("gives the rng to target resolution, so the targets follow the seed", () => {
    const seen = new Set<string>();
    for (const seed of SEEDS.slice(0, 100)) for (const f of generate(base, seed)) if (f.kind === "kill") seen.add(f.targets.join());
    expect(seen).toEqual(new Set(["app-1", "app-2", "app-3"]));
  });
});
