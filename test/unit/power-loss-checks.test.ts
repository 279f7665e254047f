import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import alwaysScenario from "../../scenarios/identity/power-loss-always.ts";
import everysecScenario from "../../scenarios/identity/power-loss.ts";
import { identityTopology } from "../../systems/identity/topology.ts";

/** power-loss needs a lazyfs data volume on every target; the scenario checks refuse it otherwise, naming the field. */
const file = "scenarios/power-loss.ts";

function refusal(data: unknown): string {
  try {
    parseScenario(data, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("scenario was accepted");
}

describe("power-loss scenario checks", () => {
  it("accepts the identity scenarios (lazyfs under /data on every server)", () => {
    for (const s of [everysecScenario, alwaysScenario]) {
      const parsed = parseScenario(s, file);
      expect(parsed.topology.nodes.map((n) => n.dataVolume?.kind)).toEqual(["lazyfs", "lazyfs", "lazyfs"]);
    }
    expect(everysecScenario.expect).toBe("fail");
    expect(alwaysScenario.expect).toBeUndefined();
    expect([...everysecScenario.tags!, ...alwaysScenario.tags!]).not.toContain("gate");
  });

  it("refuses a target with no lazyfs volume, naming the field and the nodes", () => {
    const loop: ScenarioInput = { ...structuredClone(everysecScenario), topology: identityTopology({ dataVolumeMb: 64 }) };
    expect(refusal(loop)).toContain('at faults[0].target: power-loss needs nodes whose dataVolume.kind is "lazyfs"');
    expect(refusal(loop)).toContain("these have none: id-1, id-2, id-3");
    const none: ScenarioInput = { ...structuredClone(everysecScenario), topology: identityTopology() };
    expect(refusal(none)).toContain("these have none: id-1, id-2, id-3");
  });

  it("refuses a lazyfs volume on a remote host (it is mounted on this machine)", () => {
    const remote = structuredClone(everysecScenario) as ScenarioInput & { topology: { nodes: Record<string, unknown>[] } };
    remote.hosts = { remote: { docker: "tcp://10.9.8.7:2375" } };
    remote.topology.nodes[1]!.host = "remote";
    expect(refusal(remote)).toContain('at topology.nodes[1].dataVolume.kind: node "id-2" is on host "remote", and a lazyfs disk is made and mounted on this machine');
  });
});
