import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadBaseline } from "../../engine/suite/baseline.ts";
import { HISTORY_FILE, appendSuiteRecord, readSuiteHistory } from "../../engine/suite/history-file.ts";
import { runRec, suiteRec } from "../support/suite-records.ts";

describe("suite history file", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-history-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("is empty before the first night, then one line per suite, read back oldest first", async () => {
    const path = join(dir, "reports", HISTORY_FILE);
    expect(await readSuiteHistory(path)).toEqual({ records: [], warnings: [] });
    const first = suiteRec({ suiteId: "s1" });
    const second = suiteRec({ suiteId: "s2", verdict: "fail", exitCode: 1, runs: [runRec({ verdict: "fail", suiteVerdict: "fail" })] });
    await appendSuiteRecord(path, first);
    await appendSuiteRecord(path, second);
    const text = await readFile(path, "utf8");
    expect(text.split("\n")).toHaveLength(3); // two lines and the final newline
    expect(await readSuiteHistory(path)).toEqual({ records: [first, second], warnings: [] });
  });

  it("skips a torn line and a foreign line, naming each, and keeps the rest", async () => {
    const path = join(dir, HISTORY_FILE);
    await appendSuiteRecord(path, suiteRec({ suiteId: "s1" }));
    await appendFile(path, '{"schemaVersion":1,"suiteId":"s2"}\n');
    await appendSuiteRecord(path, suiteRec({ suiteId: "s3" }));
    await appendFile(path, '{"schemaVersion":1,"sui');
    const { records, warnings } = await readSuiteHistory(path);
    expect(records.map((r) => r.suiteId)).toEqual(["s1", "s3"]);
    expect(warnings).toEqual([`${path}:2: skipped, not a suite record (name: Invalid input: expected string, received undefined)`, `${path}:4: skipped, not JSON (a torn write?)`]);
  });

  it("refuses to append a record that does not match the schema", async () => {
    await expect(appendSuiteRecord(join(dir, HISTORY_FILE), { ...suiteRec(), exitCode: 1.5 })).rejects.toThrow();
  });
});

describe("--baseline", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-baseline-"));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("reads a saved suite directory, a history file, or a folder holding one", async () => {
    await mkdir(join(dir, "suite"));
    await writeFile(join(dir, "suite", "suite.json"), JSON.stringify(suiteRec({ suiteId: "saved" })));
    expect((await loadBaseline(join(dir, "suite"))).map((s) => s.suiteId)).toEqual(["saved"]);
    await appendSuiteRecord(join(dir, HISTORY_FILE), suiteRec({ suiteId: "h1" }));
    await appendSuiteRecord(join(dir, HISTORY_FILE), suiteRec({ suiteId: "h2" }));
    expect((await loadBaseline(join(dir, HISTORY_FILE))).map((s) => s.suiteId)).toEqual(["h1", "h2"]);
    expect((await loadBaseline(dir)).map((s) => s.suiteId)).toEqual(["h1", "h2"]);
  });

  it("refuses what is not a baseline with exit 2 and the path", async () => {
    await expect(loadBaseline(join(dir, "nope"))).rejects.toMatchObject({ exitCode: 2, message: `--baseline ${join(dir, "nope")}: no such file or folder` });
    await mkdir(join(dir, "empty"));
    await expect(loadBaseline(join(dir, "empty"))).rejects.toThrow(/holds neither suite.json nor suite-history.ndjson/);
    await writeFile(join(dir, "bad.json"), JSON.stringify({ suiteId: 3 }));
    await expect(loadBaseline(join(dir, "bad.json"))).rejects.toThrow(/not a suite record/);
    await writeFile(join(dir, "empty.ndjson"), "");
    await expect(loadBaseline(join(dir, "empty.ndjson"))).rejects.toThrow(/the history is empty/);
  });
});
