import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import { makePlan } from "../../scenario/plan.ts";
import demo from "../../scenarios/trackr/app-node-crash.ts";

const file = "scenarios/test.ts";

/** Parses and returns the error message, failing the test when the scenario is accepted. */
function refusal(data: unknown): string {
  try {
    parseScenario(data, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("scenario was accepted");
}

const clone = (): ScenarioInput => structuredClone(demo) as ScenarioInput;

describe("scenario validation", () => {
  it("accepts the demo scenario and fills defaults", () => {
    const s = parseScenario(demo, file);
    expect(s.traffic[0]!.duration).toBe(60_000);
    expect(s.faults[0]!.at).toBe(20_000);
    expect(s.topology.nodes.find((n) => n.name === "db")!.readyTimeoutMs).toBe(60_000);
    expect(s.gate.minSuccessPercent).toBe(95);
  });

  it("names the file, the wrong path and what was expected for a wrong type", () => {
    const bad = clone() as unknown as { traffic: { processes: unknown }[] };
    bad.traffic[0]!.processes = "fast";
    const message = refusal(bad);
    expect(message).toContain(file);
    expect(message).toContain("traffic[0].processes");
    expect(message).toMatch(/expected a number/i);
  });

  it("refuses an unknown fault kind at its path", () => {
    const bad = clone() as { faults: { kind: string }[] };
    bad.faults[0]!.kind = "meteor";
    expect(refusal(bad)).toContain("faults[0].kind");
  });

  it("refuses a selector that matches no node", () => {
    const bad = clone();
    bad.faults![0]!.target = { role: "nope" };
    expect(refusal(bad)).toMatch(/faults\[0\]\.target: selector matches no node/);
  });

  it("refuses a fault scheduled after the end of traffic", () => {
    const bad = clone();
    bad.faults![0]!.at = "90s";
    expect(refusal(bad)).toMatch(/faults\[0\]\.at: .*not before the end of traffic/);
  });

  it("refuses a heal inside the fault-free tail", () => {
    const bad = clone();
    bad.faults![0]!.for = "38s";
    expect(refusal(bad)).toContain("faults[0].for");
  });

  it("refuses negative and malformed durations", () => {
    const bad = clone();
    bad.faults![0]!.at = -5 as never;
    expect(refusal(bad)).toMatch(/faults\[0\]\.at: -5 is no duration \(a duration is never negative/);
    bad.faults![0]!.at = "-5s" as never;
    expect(refusal(bad)).toMatch(/faults\[0\]\.at: expected a duration .*never negative/);
    bad.faults![0]!.at = "20 seconds" as never;
    expect(refusal(bad)).toMatch(/faults\[0\]\.at: expected a duration/);
  });

  it("refuses duplicate node names and unknown SLO traffic", () => {
    const bad = clone();
    bad.topology.nodes[2]!.name = bad.topology.nodes[1]!.name;
    bad.slos[0]!.traffic = "phones";
    const message = refusal(bad);
    expect(message).toMatch(/topology\.nodes\[2\]\.name: duplicate node name/);
    expect(message).toMatch(/slos\[0\]\.traffic: unknown traffic class "phones"/);
  });

  it("refuses an undeclared secret", () => {
    const bad = clone();
    bad.secrets = ["device-key"];
    expect(refusal(bad)).toMatch(/db-password/);
  });

  it("refuses unknown fields instead of ignoring a typo", () => {
    const bad = { ...clone(), faultz: [] };
    expect(refusal(bad)).toMatch(/faultz/);
  });
});

describe("plan", () => {
  it("is reproducible from the seed and picks one app node", () => {
    const s = parseScenario(demo, file);
    const a = makePlan(s, 42);
    expect(makePlan(s, 42)).toEqual(a);
    expect(a.faults).toHaveLength(1);
    expect(a.faults[0]!.targets).toHaveLength(1);
    expect(a.faults[0]!.targets[0]).toMatch(/^app-[123]$/);
    expect(a.faults[0]!.healAtMs).toBe(40_000);
    const picks = new Set(Array.from({ length: 30 }, (_, seed) => makePlan(s, seed).faults[0]!.targets[0]));
    expect(picks.size).toBe(3);
  });
});

describe("random fault schedule", () => {
  const withRandom = () => {
    const s = clone();
    s.faults = [];
    // Without the scheduled fault, an SLO measured from it has nothing to refer to.
    s.slos = s.slos.filter((slo) => slo.kind !== "recovery-time");
    s.randomFaults = {
      count: 5,
      from: "5s",
      to: "50s",
      minDuration: "2s",
      maxDuration: "8s",
      choices: [
        { kind: "kill", target: { role: "app" }, at: "0s" },
        { kind: "pause", target: { role: "app", mode: "minority" }, at: "0s" },
      ],
    };
    return parseScenario(s, file);
  };

  it("gives the same materialised plan for the same seed and another for another seed", () => {
    const s = withRandom();
    expect(makePlan(s, 9)).toEqual(makePlan(s, 9));
    const shapes = new Set(Array.from({ length: 10 }, (_, seed) => JSON.stringify(makePlan(s, seed).faults.map((f) => [f.kind, f.targets, f.atMs]))));
    expect(shapes.size).toBeGreaterThan(5);
  });

  it("keeps faults inside the window, within the duration bounds and never overlapping", () => {
    const s = withRandom();
    for (let seed = 0; seed < 50; seed++) {
      const faults = makePlan(s, seed).faults;
      expect(faults.length).toBeGreaterThan(0);
      faults.forEach((f, i) => {
        expect(f.atMs).toBeGreaterThanOrEqual(5_000);
        expect(f.healAtMs).toBeLessThanOrEqual(50_000);
        expect(f.healAtMs - f.atMs).toBeGreaterThanOrEqual(2_000);
        expect(f.healAtMs - f.atMs).toBeLessThanOrEqual(8_000);
        if (i > 0) expect(f.atMs).toBeGreaterThanOrEqual(faults[i - 1]!.healAtMs + 2_000);
        expect(f.id).toMatch(/^random-\d+-(kill|pause)$/);
      });
    }
  });

  it("refuses a window that does not end before the tail", () => {
    const s = clone();
    s.randomFaults = { count: 1, from: "5s", to: "59s", choices: [{ kind: "kill", target: { role: "app" }, at: "0s" }] };
    expect(refusal(s)).toContain("randomFaults.to");
  });
});
