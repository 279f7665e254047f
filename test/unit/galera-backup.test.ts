import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import { parseScenario } from "../../scenario/load-scenario.ts";
import type { ScenarioInput } from "../../scenario/scenario.ts";
import galeraRestore from "../../scenarios/galera/all-nodes-restore.ts";
import { galeraTopology } from "../../systems/galera/topology.ts";

/**
 * The galera cluster's off-site backups (systems/galera/README.md, "Backups"): what the topology declares (the backup
 * node alone on its network with galera-2, every node on a disk a restore can write), the refusals of a schedule it
 * cannot keep, and the export script's choice of backup, run on a hand-made backup directory (no container).
 */
const file = "scenarios/galera/all-nodes-restore.ts";

function refusal(data: unknown): string {
  try {
    parseScenario(data, file);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return (error as Error).message;
  }
  throw new Error("scenario was accepted");
}

describe("galera: off-site mariabackup backups in the topology", () => {
  it("accepts the scenario: one backup of all three nodes every 20 s, kept on a node only galera-2 shares a network with", () => {
    const parsed = parseScenario(galeraRestore, file);
    expect(parsed.topology.backups).toMatchObject([{ name: "mariabackups", node: "backup", of: ["galera-1", "galera-2", "galera-3"], every: 20_000 }]);
    const node = (name: string) => parsed.topology.nodes.find((n) => n.name === name)!;
    expect(node("backup").networks).toEqual(["offsite"]);
    expect(parsed.topology.nodes.filter((n) => n.networks?.includes("offsite")).map((n) => n.name)).toEqual(["galera-2", "backup"]);
    expect(node("galera-2").env.BACKUP_AGENT_PORT).toBe("4499");
    expect(node("backup").env.SOURCE).toBe("galera-2:4499");
    for (const name of ["galera-1", "galera-2", "galera-3"]) expect(node(name).dataVolume).toMatchObject({ path: "/var/lib/mysql", kind: "loop-ext4" });
    // Only galera-1 bootstraps a restored cluster; the others join it.
    expect(["galera-1", "galera-2", "galera-3"].map((name) => node(name).env.BOOTSTRAP)).toEqual(["1", undefined, undefined]);
  });

  it("refuses a recovery-point promise shorter than the backup interval, naming the fields", () => {
    const short = structuredClone(galeraRestore) as ScenarioInput & { slos: { atMost?: string }[] };
    short.slos[0]!.atMost = "15s";
    expect(refusal(short)).toContain('at slos[0].atMost: a recovery point of 15s is shorter than backup "mariabackups" can keep');
  });

  it("refuses a schedule it cannot keep and backups on lazyfs", () => {
    expect(() => galeraTopology({ backup: { every: 500 } })).toThrow(/backup.every must be a whole number of ms, at least 1000; got 500/);
    expect(() => galeraTopology({ backup: {}, lazyfs: { flushLogAtTrxCommit: 1 } })).toThrow(/lazyfs and backup are not combined/);
  });
});

describe("galera-backup-export on a backup directory", () => {
  const script = fileURLToPath(new URL("../../systems/galera/backup/galera-backup-export", import.meta.url));
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));

  function backups(catalogued: string[], onDisk: string[]): string {
    dir = mkdtempSync(join(tmpdir(), "havoc-galera-backup-"));
    for (const label of onDisk) {
      mkdirSync(join(dir, "base", label), { recursive: true });
      writeFileSync(join(dir, "base", label, "xtrabackup_galera_info"), `uuid-1:${label.length} 0\n`);
      writeFileSync(join(dir, "base", label, "ibdata1"), label);
    }
    writeFileSync(join(dir, "catalog.ndjson"), catalogued.map((label) => `{"label":"${label}","startedAtMs":1,"completedAtMs":2}\n`).join(""));
    return dir;
  }
  const run = (backupDir: string, point = "last-backup") => spawnSync("bash", [script, point], { env: { ...process.env, BACKUP_DIR: backupDir }, encoding: "buffer" });

  it("exports the newest catalogued backup still on disk as a tar, and says which on stderr", () => {
    // The newest catalogued one was removed by retention (or never completed): the one before it is exported.
    const d = backups(["mariabackup-100", "mariabackup-200", "mariabackup-300"], ["mariabackup-100", "mariabackup-200"]);
    const result = run(d);
    expect(result.status, result.stderr.toString()).toBe(0);
    expect(result.stderr.toString()).toBe("galera-backup-export: mariabackup-200 (prepared, Galera position uuid-1:15 0)\n");
    const listing = spawnSync("tar", ["-t"], { input: result.stdout, encoding: "utf8" });
    expect(listing.stdout.split("\n").filter(Boolean).sort()).toEqual(["./", "./ibdata1", "./xtrabackup_galera_info"]);
  });

  it("exits 1 with nothing on stdout when no catalogued backup is on disk", () => {
    const result = run(backups(["mariabackup-300"], []));
    expect(result.status).toBe(1);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr.toString()).toContain("no completed backup in");
  });

  it("refuses a point it cannot restore (no binary log archive)", () => {
    const result = run(backups(["mariabackup-100"], ["mariabackup-100"]), "newest-archived");
    expect(result.status).toBe(2);
    expect(result.stderr.toString()).toContain("only last-backup is kept");
  });
});
