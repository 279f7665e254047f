import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import alwaysScenario from "../../scenarios/identity/power-loss-always.ts";
import everysecScenario from "../../scenarios/identity/power-loss.ts";
import { identityTopology } from "../../systems/identity/topology.ts";
import fsyncOn from "../../scenarios/trackr/db-power-loss-fsync-on.ts";
import fsyncOff from "../../scenarios/trackr/db-power-loss-fsync-off.ts";
import flush1 from "../../scenarios/galera/power-loss-flush-1.ts";
import flush2 from "../../scenarios/galera/power-loss-flush-2.ts";

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

  it("accepts trackr's and galera's power-loss pairs: lazyfs (flushed after start) where the cut lands, the setting passed, the control expected to fail", () => {
    for (const [scenario, setting] of [[fsyncOn, "fsync=on"], [fsyncOff, "fsync=off"]] as const) {
      const db = parseScenario(scenario, file).topology.nodes.find((n) => n.name === "db")!;
      expect(db.dataVolume).toMatchObject({ kind: "lazyfs", path: "/var/lib/postgresql/data", syncAfterStart: true });
      expect(db.command).toEqual(["-c", setting]);
    }
    for (const [scenario, flush] of [[flush1, "1"], [flush2, "2"]] as const) {
      const nodes = parseScenario(scenario, file).topology.nodes.filter((n) => n.role === "galera");
      expect(nodes.map((n) => [n.dataVolume?.kind, n.dataVolume?.syncAfterStart, n.env.INNODB_FLUSH_LOG_AT_TRX_COMMIT])).toEqual(Array(3).fill(["lazyfs", true, flush]));
    }
    expect([fsyncOn.expect, flush1.expect]).toEqual([undefined, undefined]);
    expect([fsyncOff.expectFailing, flush2.expectFailing]).toEqual([["no-acknowledged-reading-lost"], ["no-acknowledged-reading-lost"]]);
  });
});
