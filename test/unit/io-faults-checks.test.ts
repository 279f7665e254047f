import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { matchLazyFsGlob } from "../../faults/lazyfs-fault.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import fsyncOn from "../../scenarios/trackr/db-power-loss-fsync-on.ts";
import { trackrTopology } from "../../systems/trackr/topology.ts";

/** io-error and io-latency act through a lazyfs data volume: schema, refusals before anything starts, the glob. */
const file = "scenarios/io-faults.ts";

function refusal(data: unknown): string {
  try {
    parseScenario(data, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("scenario was accepted");
}

/** The fsync-on scenario with one fault instead of its power cut (and the SLO that names the cut left out). */
const withFault = (fault: Record<string, unknown>, topology = fsyncOn.topology): ScenarioInput => ({
  ...structuredClone(fsyncOn),
  topology,
  faults: [fault as never],
  slos: fsyncOn.slos.filter((slo) => slo.kind === "lost-writes"),
});

describe("io-error and io-latency scenario checks", () => {
  it("accepts both on a lazyfs target, with defaults for percent and paths", () => {
    const e = parseScenario(withFault({ kind: "io-error", target: { names: ["db"] }, at: "10s", for: "5s", op: "fsync" }), file);
    expect(e.faults[0]).toMatchObject({ kind: "io-error", op: "fsync", percent: 100, paths: ["**"] });
    const l = parseScenario(withFault({ kind: "io-latency", target: { names: ["db"] }, at: "10s", op: "all", latencyMs: 50, paths: ["pg_wal/*"] }), file);
    expect(l.faults[0]).toMatchObject({ kind: "io-latency", latencyMs: 50, paths: ["pg_wal/*"] });
  });

  it("refuses targets without a lazyfs volume, naming the field and the nodes", () => {
    const plain = trackrTopology({ appNodes: 2 });
    expect(refusal(withFault({ kind: "io-error", target: { names: ["db"] }, at: "10s", op: "write" }, plain))).toContain(
      'at faults[0].target: io-error needs nodes whose dataVolume.kind is "lazyfs" (it fails calls on that filesystem); these have none: db',
    );
    expect(refusal(withFault({ kind: "io-latency", target: { role: "app", mode: "all" }, at: "10s", op: "read", latencyMs: 10 }))).toContain(
      'at faults[0].target: io-latency needs nodes whose dataVolume.kind is "lazyfs" (it delays calls on that filesystem); these have none: app-1, app-2',
    );
  });

  it("refuses bad fields, naming them", () => {
    const db = { target: { names: ["db"] }, at: "10s" };
    expect(refusal(withFault({ kind: "io-error", ...db, op: "write", percent: 0 }))).toContain("faults[0].percent");
    expect(refusal(withFault({ kind: "io-error", ...db, op: "write", percent: 101 }))).toContain("faults[0].percent");
    expect(refusal(withFault({ kind: "io-error", ...db, op: "open" }))).toContain("faults[0].op");
    expect(refusal(withFault({ kind: "io-error", ...db, op: "write", paths: ["/var/lib/x"] }))).toContain("at faults[0].paths[0]: must be relative to the data volume's root");
    expect(refusal(withFault({ kind: "io-error", ...db, op: "write", paths: [] }))).toContain("faults[0].paths");
    expect(refusal(withFault({ kind: "io-latency", ...db, op: "fsync" }))).toContain("faults[0].latencyMs");
    expect(refusal(withFault({ kind: "io-latency", ...db, op: "fsync", latencyMs: 0 }))).toContain("faults[0].latencyMs");
  });

  it("refuses syncAfterStart on a volume that is not lazyfs", () => {
    const s = structuredClone(fsyncOn) as ScenarioInput & { topology: { nodes: { dataVolume?: Record<string, unknown> }[] } };
    s.topology.nodes[0]!.dataVolume!.kind = "loop-ext4";
    s.faults = [];
    expect(refusal(s)).toContain('topology.nodes[0].dataVolume.syncAfterStart: syncAfterStart needs kind "lazyfs"');
  });
});

describe("lazyfs glob (as env/go/lazyfs/glob.go)", () => {
  it.each([
    ["**", "a/b/c", true],
    ["*", "a/b", false],
    ["*", "appendonly.aof", true],
    ["pg_wal/*", "pg_wal/000000010000000000000001", true],
    ["pg_wal/*", "pg_wal/archive_status/x", false],
    ["**/x", "x", true],
    ["**/x", "a/b/x", true],
    ["base/**", "base/1/2", true],
    ["?.log", "a.log", true],
    ["?.log", "/.log", false],
    ["ib_logfile?", "ib_logfile0", true],
  ])("%s matches %s: %s", (pattern, name, expected) => {
    expect(matchLazyFsGlob(pattern, name)).toBe(expected);
  });
});
