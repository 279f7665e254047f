import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import identityRestore from "../../scenarios/identity/all-data-restore.ts";
import twozoneRestore from "../../scenarios/twozone/zone-a-storage-restore.ts";
import { identityTopology } from "../../systems/identity/topology.ts";
import { twozoneTopology } from "../../systems/twozone/topology.ts";

/**
 * Issue 27's bad input, for the two systems whose backups came after trackr's: a restore step with no backup
 * configured, a recovery-point promise shorter than the backup schedule can keep, and a restore onto a node the
 * backup does not hold are refused before anything starts, naming the fields. Also the topology helpers' own
 * refusals of schedules they cannot keep.
 */
function refusal(data: unknown, file: string): string {
  try {
    parseScenario(data, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("scenario was accepted");
}

type Mutable = ScenarioInput & { faults: { backup?: string; target?: unknown }[]; slos: { atMost?: string }[] };

describe("twozone: zone-B copies, restore and recovery-point refusals", () => {
  const file = "scenarios/twozone/zone-a-storage-restore.ts";

  it("accepts the scenario: one backup, the zone-B copies of db-a, kept every 60 s", () => {
    const parsed = parseScenario(twozoneRestore, file);
    expect(parsed.topology.backups).toMatchObject([{ name: "zone-b-copies", node: "backup-b", of: "db-a", every: 60_000 }]);
  });

  it("refuses the restore step when no backup is configured", () => {
    const none = { ...structuredClone(twozoneRestore), topology: twozoneTopology() } as ScenarioInput;
    expect(refusal(none, file)).toContain("at faults[1].backup: restore needs a backup, and topology.backups declares none");
  });

  it("refuses a promise shorter than the copy interval, naming the SLO's atMost and the backup's every", () => {
    const short = structuredClone(twozoneRestore) as Mutable;
    short.slos[0]!.atMost = "30s";
    expect(refusal(short, file)).toContain(
      'at slos[0].atMost: a recovery point of 30s is shorter than backup "zone-b-copies" can keep when restoring "last-backup" (restore step "restore-from-zone-b"): topology.backups[0].every is 1m',
    );
  });

  it("refuses restoring a node the copies do not hold", () => {
    const wrong = structuredClone(twozoneRestore) as Mutable;
    wrong.faults[1]!.target = { names: ["db-b"] };
    expect(refusal(wrong, file)).toContain('at faults[1].target: backup "zone-b-copies" keeps the data of "db-a" only; the target also selects db-b');
  });

  it("refuses a copy interval that is not a whole number of daily intervals", () => {
    expect(() => twozoneTopology({ backups: { dailyEvery: 20_000, copyEvery: 50_000 } })).toThrow(/copyEvery \(50000 ms\) must be a whole multiple of dailyEvery \(20000 ms\)/);
  });
});

describe("identity: AOF copies of every server, restore and recovery-point refusals", () => {
  const file = "scenarios/identity/all-data-restore.ts";

  it("accepts the scenario: one copy holds the data of all three servers, each on a disk that can be destroyed", () => {
    const parsed = parseScenario(identityRestore, file);
    expect(parsed.topology.backups).toMatchObject([{ name: "aof-copies", node: "backup", of: ["id-1", "id-2", "id-3"], every: 20_000 }]);
    for (const name of ["id-1", "id-2", "id-3"]) expect(parsed.topology.nodes.find((n) => n.name === name)!.dataVolume?.kind).toBe("loop-ext4");
  });

  it("refuses the restore step when no backup is configured", () => {
    const none = { ...structuredClone(identityRestore), topology: identityTopology({ dataVolumeMb: 256 }) } as ScenarioInput;
    expect(refusal(none, file)).toContain("at faults[1].backup: restore needs a backup, and topology.backups declares none");
  });

  it("refuses a promise shorter than the copy interval, naming the SLO's atMost and the backup's every", () => {
    const short = structuredClone(identityRestore) as Mutable;
    short.slos[0]!.atMost = "5s";
    expect(refusal(short, file)).toContain(
      'at slos[0].atMost: a recovery point of 5s is shorter than backup "aof-copies" can keep when restoring "last-backup" (restore step "restore-all"): topology.backups[0].every is 20s',
    );
  });

  it("refuses point-in-time recovery: the copies have no continuous log", () => {
    const pitr = structuredClone(identityRestore) as Mutable & { faults: { point?: string }[] };
    pitr.faults[1]!.point = "newest-archived";
    expect(refusal(pitr, file)).toContain('at faults[1].point: point "newest-archived" needs a continuous archive, and backup "aof-copies" has no archiveTimeout');
  });

  it("refuses a backup of a node without a disk to restore onto, naming the element of `of`", () => {
    const topology = identityTopology({ backup: { every: 20_000 } }) as { nodes: { name: string; dataVolume?: unknown }[] };
    const withoutDisk = { ...structuredClone(identityRestore), topology: { ...topology, nodes: topology.nodes.map((n) => (n.name === "id-2" ? { ...n, dataVolume: undefined } : n)) } } as ScenarioInput;
    const message = refusal(withoutDisk, file);
    expect(message).toContain('at topology.backups[0].of[1]: node "id-2" needs a dataVolume of kind "loop-ext4" or "lazyfs"');
    expect(message).toContain('at faults[0].target: storage-destroy needs nodes whose dataVolume.kind is "loop-ext4" or "lazyfs"');
  });
});
