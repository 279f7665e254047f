import { describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import type { FaultRecord, History, WriteSets } from "../../core/history.ts";
import { checkRecoveryPoint, type RecoveryPointSloSpec } from "../../judge/slos/recovery-point.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import base from "../../scenarios/trackr/db-disk-restore-base.ts";
import control from "../../scenarios/trackr/backup-disk-full-control.ts";
import pitr from "../../scenarios/trackr/db-disk-restore-pitr.ts";
import { trackrTopology } from "../../systems/trackr/topology.ts";

const destroy: FaultRecord = { id: "destroy-db", kind: "storage-destroy", targets: ["db"], injectedAtMs: 40_000, healedAtMs: 45_000, mechanism: "wipe", notes: [] };
const restore: FaultRecord = {
  id: "restore-db",
  kind: "restore",
  targets: ["db"],
  calledAtMs: 45_000,
  injectedAtMs: 45_000,
  healedAtMs: 52_000,
  mechanism: "export",
  notes: [],
  backups: [{ label: "base-2", startedAtMs: 30_000, completedAtMs: 31_000, restored: true }],
};
const slo: RecoveryPointSloSpec = { id: "rp", kind: "recovery-point", traffic: "devices", fault: "destroy-db", restore: "restore-db", atMost: 20_000 };

/**
 * One write acknowledged a second from 1 s to 60 s (w1..w60, at that second), none while the database is gone
 * (41..52 s, from the disaster to the restored node); `stored` the ids the restore kept.
 */
function history(stored: (n: number) => boolean, faults: FaultRecord[] = [destroy, restore]): History {
  const ids = Array.from({ length: 60 }, (_, i) => i + 1).filter((n) => n <= 40 || n > 52);
  const writes: WriteSets = {
    acknowledged: ids.map((n) => `w${n}`),
    acknowledgedAtMs: ids.map((n) => n * 1_000),
    unknown: [],
    failed: [],
    stored: ids.filter(stored).map((n) => `w${n}`),
  };
  return { runId: "r", scenario: "s", seed: 1, trafficStartEpochMs: 0, trafficEndMs: 60_000, timeline: [], faults, containerEvents: [], writes: { devices: writes }, droppedIterations: {}, droppedBySecond: [] };
}

describe("recovery-point SLO (hand-made histories)", () => {
  it("passes when the writes lost are all newer than the newest kept, within the promise; counts them", () => {
    // Kept up to 30 s (the backup), lost 31..40 s (the disaster at 40 s), kept again after the restore (53..60).
    const r = checkRecoveryPoint(slo, history((n) => n <= 30 || n > 52));
    expect(r.verdict, r.why).toBe("pass");
    expect(r.observed).toBe(10_000);
    expect(r.why).toContain("10 of 40 writes acknowledged before it lost");
    expect(r.why).toContain("restored from base-2");
  });

  it("fails when the loss window is longer than promised, naming the old writes lost", () => {
    const r = checkRecoveryPoint(slo, history((n) => n <= 10 || n > 52));
    expect(r.verdict).toBe("fail");
    expect(r.observed).toBe(30_000);
    expect(r.why).toMatch(/^9 acknowledged writes older than the promised 20s before the disaster are lost \(w11, w12, w13, w14, w15, \.\.\.\)/);
  });

  it("fails on a hole: an old write missing though newer ones were kept", () => {
    const r = checkRecoveryPoint(slo, history((n) => n !== 5 && (n <= 35 || n > 52)));
    expect(r.verdict).toBe("fail");
    expect(r.why).toContain("(w5)");
  });

  it("fails when writes acknowledged after the restore are lost again", () => {
    const r = checkRecoveryPoint(slo, history((n) => n <= 35 || (n > 52 && n !== 58)));
    expect(r.verdict).toBe("fail");
    expect(r.why).toContain("writes acknowledged after the disaster are lost too (w58)");
  });

  it("fails when the restore step itself failed, and is unknown without a disaster, a readback or times", () => {
    const failed = { ...restore, systemFailure: "inject of restore-db failed: backup had nothing to restore" };
    expect(checkRecoveryPoint(slo, history(() => true, [destroy, failed])).verdict).toBe("fail");
    expect(checkRecoveryPoint(slo, history(() => true, [restore])).verdict).toBe("unknown");
    const unread = history(() => true);
    unread.writes.devices!.stored = null;
    expect(checkRecoveryPoint(slo, unread).verdict).toBe("unknown");
    const untimed = history(() => true);
    delete untimed.writes.devices!.acknowledgedAtMs;
    expect(checkRecoveryPoint(slo, untimed).why).toContain("no acknowledgement times");
  });

  it("a store that lost everything fails with every write older than the promise", () => {
    const r = checkRecoveryPoint(slo, history(() => false));
    expect(r.verdict).toBe("fail");
    expect(r.observed).toBe(40_000);
    expect(r.why).toContain("no write acknowledged before it was kept");
  });
});

const file = "scenarios/trackr/restore.ts";
function refusal(data: unknown): string {
  try {
    parseScenario(data, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("scenario was accepted");
}

describe("backup, restore and recovery-point checks (before anything starts)", () => {
  it("accepts trackr's restore scenarios", () => {
    for (const s of [base, pitr, control]) expect(parseScenario(s, file).topology.backups.map((b) => b.name)).toEqual(["db-backups"]);
  });

  it("refuses a restore step with no backup configured, naming the field", () => {
    const none: ScenarioInput = { ...structuredClone(base), topology: trackrTopology() };
    expect(refusal(none)).toContain("at faults[1].backup: restore needs a backup, and topology.backups declares none");
    const typo = structuredClone(base) as ScenarioInput & { faults: { backup?: string }[] };
    typo.faults[1]!.backup = "db-backup";
    expect(refusal(typo)).toContain('at faults[1].backup: unknown backup "db-backup"; did you mean "db-backups"?');
  });

  it("refuses point-in-time recovery from a backup with no continuous archive", () => {
    const noWal = structuredClone(pitr) as ScenarioInput;
    noWal.topology = trackrTopology({ backup: { every: 20_000 } });
    noWal.slos = [{ ...pitr.slos[0], atMost: "20s" } as ScenarioInput["slos"][number]];
    expect(refusal(noWal)).toContain('at faults[1].point: point "newest-archived" needs a continuous archive, and backup "db-backups" has no archiveTimeout');
  });

  it("refuses a recovery-point promise shorter than the backup schedule can keep, naming both fields", () => {
    const short = { ...structuredClone(base), slos: [{ ...base.slos[0], atMost: "10s" }] } as ScenarioInput;
    expect(refusal(short)).toContain(
      'at slos[0].atMost: a recovery point of 10s is shorter than backup "db-backups" can keep when restoring "last-backup" (restore step "restore-db"): topology.backups[0].every is 20s',
    );
    const shortWal = { ...structuredClone(pitr), slos: [{ ...pitr.slos[0], atMost: "2s" }] } as ScenarioInput;
    expect(refusal(shortWal)).toContain("topology.backups[0].archiveTimeout is 5s");
  });

  it("refuses a recovery-point whose restore is not a restore step", () => {
    const wrong = { ...structuredClone(base), slos: [{ ...base.slos[0], restore: "destroy-db" }] } as ScenarioInput;
    expect(refusal(wrong)).toContain('at slos[0].restore: "destroy-db" is not a restore step');
  });

  it("refuses storage-destroy on a node without a disk the harness can wipe", () => {
    const topology = trackrTopology({ backup: { every: 20_000 } }) as { nodes: { name: string; dataVolume?: unknown }[] };
    const withoutDisk = { ...structuredClone(base), topology: { ...topology, nodes: topology.nodes.map((n) => (n.name === "db" ? { ...n, dataVolume: undefined } : n)) } } as ScenarioInput;
    const message = refusal(withoutDisk);
    expect(message).toContain('at faults[0].target: storage-destroy needs nodes whose dataVolume.kind is "loop-ext4" or "lazyfs"');
    expect(message).toContain('at topology.backups[0].of: node "db" needs a dataVolume of kind "loop-ext4" or "lazyfs"');
  });
});
