import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { exportCommand } from "../../engine/commands/export.ts";

/**
 * `havoc export --format jepsen` on a recorded run (test/fixtures/runs/register-export: the first 24 ops of a
 * read-committed register control on pgha, two overlapping CAS from 3 among them) and on the ways it is refused.
 */
const fixture = "test/fixtures/runs/register-export";
let stderr: string[];
let stdout: string[];
beforeEach(() => {
  stderr = [];
  stdout = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (stderr.push(String(chunk)), true));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (stdout.push(String(chunk)), true));
});
afterEach(() => vi.restoreAllMocks());

async function copyRun(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "havoc-export-"));
  await cp(fixture, dir, { recursive: true });
  return dir;
}

describe("havoc export --format jepsen", () => {
  it("writes history-<class>.edn beside the history: an :invoke and a completion per op, register values as Knossos reads them", async () => {
    const dir = await copyRun();
    expect(await exportCommand(dir, { format: "jepsen" })).toBe(0);
    const edn = (await readFile(join(dir, "history-reg-rc.edn"), "utf8")).trimEnd().split("\n");
    expect(edn.length).toBe(48);
    expect(edn[0]).toBe("{:index 0, :time 904000000, :type :invoke, :process 2, :f :write, :value [2 1]}");
    expect(edn.filter((l) => l.includes(":type :invoke")).length).toBe(24);
    // The two CAS from 3 that both succeeded (the anomaly Porcupine finds), as :cas [key [from to]].
    expect(edn.filter((l) => l.includes(":type :ok") && l.includes(":f :cas") && l.includes("[0 [3 "))).toHaveLength(2);
    // A read's invocation carries nil, its completion the value read.
    expect(edn.some((l) => /:type :invoke, :process \d+, :f :read, :value \[\d+ nil\]/.test(l))).toBe(true);
    expect(stdout.join("")).toContain("history-reg-rc.edn: 24 ops (48 events)");
  });

  it("--out writes one history where asked", async () => {
    const dir = await copyRun();
    const out = join(dir, "elle-input.edn");
    expect(await exportCommand(dir, { out, traffic: "reg-rc" })).toBe(0);
    expect((await readFile(out, "utf8")).split("\n").length).toBe(49);
  });

  it("refuses, with exit 2 and one line naming the problem: no directory, not a run, no history, an unknown class, a malformed history, another format", async () => {
    const empty = await mkdtemp(join(tmpdir(), "havoc-export-empty-"));
    expect(await exportCommand(join(empty, "nope"))).toBe(2);
    expect(stderr.pop()).toMatch(/nope does not exist/);
    expect(await exportCommand(empty)).toBe(2);
    expect(stderr.pop()).toMatch(/neither report.json nor events.ndjson: not a run directory/);
    await writeFile(join(empty, "events.ndjson"), "{}\n");
    expect(await exportCommand(empty)).toBe(2);
    expect(stderr.pop()).toMatch(/holds no workload history \(history-<class>.ndjson\)/);
    const dir = await copyRun();
    expect(await exportCommand(dir, { traffic: "txns" })).toBe(2);
    expect(stderr.pop()).toMatch(/--traffic txns: .* has no history of that class \(it has reg-rc\)/);
    expect(await exportCommand(dir, { format: "elle" })).toBe(2);
    expect(stderr.pop()).toMatch(/--format elle: the only format is jepsen/);
    await writeFile(join(dir, "history-reg-rc.ndjson"), `${await readFile(join(fixture, "history-reg-rc.ndjson"), "utf8")}{"index":24,"process":1\n`);
    expect(await exportCommand(dir)).toBe(2);
    expect(stderr.pop()).toMatch(/history-reg-rc.ndjson: bad input: line 25: .*not JSON.*; not exported/);
    expect(existsSync(join(dir, "history-reg-rc.edn"))).toBe(false);
  });
});
