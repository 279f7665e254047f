import { describe, expect, it } from "vitest";
import { parseScenario } from "../../scenario/load-scenario.ts";
import identityControl from "../../scenarios/identity/backup-disk-full-control.ts";
import identityRestore from "../../scenarios/identity/all-data-restore.ts";
import twozoneControl from "../../scenarios/twozone/copy-disk-full-control.ts";
import twozoneRestore from "../../scenarios/twozone/zone-a-storage-restore.ts";
import { backupRestoreSteps } from "../../systems/shared/backup-restore-steps.ts";

/**
 * The restore block the reference systems' scenarios share (systems/shared/backup-restore-steps.ts), and the two
 * controls built on it: each is its real restore scenario plus one disk-fill on the backup node, expected to FAIL on
 * exactly its recovery-point SLOs.
 */
describe("backupRestoreSteps", () => {
  it("gives the disaster (band up to the restore), the restore onto the disaster's nodes and one recovery-point per class", () => {
    const steps = backupRestoreSteps({
      disaster: { id: "lost", nodes: ["a", "b"], at: "35s" },
      restore: { id: "back", at: "40s", backup: "copies", point: "last-backup" },
      recoveryPoint: { traffic: { "rp-x": "x", "rp-y": "y" }, atMost: "24s" },
      recoveryTime: { traffic: "x", atMost: "60s", stableFor: "5s" },
    });
    expect(steps.faults).toEqual([
      { id: "lost", kind: "storage-destroy", target: { names: ["a", "b"] }, at: "35s", for: "5000ms" },
      { id: "back", kind: "restore", target: { names: ["a", "b"] }, at: "40s", backup: "copies", point: "last-backup" },
    ]);
    expect(steps.slos.map((s) => [s.id, s.kind, "traffic" in s ? s.traffic : undefined])).toEqual([
      ["rp-x", "recovery-point", "x"],
      ["rp-y", "recovery-point", "y"],
      ["recovery-time", "recovery-time", "x"],
    ]);
  });

  it("refuses a restore that does not come after the disaster, naming both times", () => {
    const bad = () =>
      backupRestoreSteps({
        disaster: { id: "lost", nodes: ["a"], at: "40s" },
        restore: { id: "back", at: "40s", backup: "copies", point: "last-backup" },
        recoveryPoint: { traffic: "x", atMost: "24s" },
        recoveryTime: { traffic: "x", atMost: "60s", stableFor: "5s" },
      });
    expect(bad).toThrow("backupRestoreSteps: restore.at (40s) must come after disaster.at (40s)");
  });
});

describe("the twozone and identity controls", () => {
  for (const [file, control, real, fill, failing] of [
    ["scenarios/twozone/copy-disk-full-control.ts", twozoneControl, twozoneRestore, "backup-b", ["recovery-point-a", "recovery-point-b"]],
    ["scenarios/identity/backup-disk-full-control.ts", identityControl, identityRestore, "backup", ["recovery-point"]],
  ] as const) {
    it(`${file}: the real restore's steps plus a disk-fill of ${fill}, expected to fail on ${failing.join(", ")}`, () => {
      const parsed = parseScenario(control, file);
      expect(parsed.expect).toBe("fail");
      expect(parsed.expectFailing).toEqual(failing);
      const [first, ...rest] = parsed.faults;
      expect(first).toMatchObject({ kind: "disk-fill", target: { names: [fill] }, at: 3_000 });
      expect(rest).toEqual(parseScenario(real, file).faults);
    });
  }
});
