import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { checkBank } from "../../judge/checkers/bank.ts";
import { checkListAppend } from "../../judge/checkers/list-append/check.ts";
import { parseWorkloadHistory, readWorkloadHistory } from "../../judge/checkers/read-history.ts";

const line = (fields: Record<string, unknown>) => JSON.stringify({ index: 0, process: 0, f: "txn", type: "ok", invokeMs: 0, completeMs: 1, value: [], ...fields });

describe("parseWorkloadHistory", () => {
  it("reads one op per line and skips blank lines", () => {
    const text = `${line({ index: 0, value: [["append", 1, 1]] })}\n\n${line({ index: 1, value: [["r", 1, [1]]] })}\n`;
    const { ops, problems } = parseWorkloadHistory(text, "history-txn.ndjson");
    expect(problems).toEqual([]);
    expect(ops.map((op) => op.index)).toEqual([0, 1]);
    expect(ops[1]!.value).toEqual([["r", 1, [1]]]);
  });

  it("every bad line is a problem with its 1-based line number and what was expected", () => {
    const text = [
      line({ index: 0 }),
      "{not json",
      line({ index: 1, process: "p1" }),
      line({ index: 2, type: "done" }),
      JSON.stringify({ index: 3, process: 0, f: "txn", type: "ok", invokeMs: 0, value: [] }),
      line({ index: 4, extra: true }),
      line({ index: 5, invokeMs: 10, completeMs: 9 }),
      line({ index: 0 }),
    ].join("\n");
    const { ops, problems } = parseWorkloadHistory(text, "h.ndjson");
    expect(ops.map((op) => op.index)).toEqual([0]);
    expect(problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(problems[0]!.message).toMatch(/^h\.ndjson: not JSON \(.+\): \{not json$/);
    expect(problems.slice(1).map((p) => p.message)).toEqual([
      "h.ndjson: not a workload op: field process: expected number, received string",
      'h.ndjson: not a workload op: field type: Invalid option: expected one of "ok"|"fail"|"info"',
      "h.ndjson: not a workload op: field completeMs: expected number, received undefined",
      'h.ndjson: not a workload op: the line: Unrecognized key: "extra"',
      "h.ndjson: op 5 completes (completeMs 9) before it was invoked (invokeMs 10)",
      "h.ndjson: index 0 already used on line 1",
    ]);
  });
});

describe("readWorkloadHistory feeding the checkers", () => {
  let dir = "";
  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });

  it("a file with one bad line gives unknown, never pass, though its good ops alone would pass", async () => {
    dir = await mkdtemp(join(tmpdir(), "havoc-checker-history-"));
    const path = join(dir, "history-txn.ndjson");
    await writeFile(path, `${line({ index: 0, value: [["append", 1, 1]] })}\n${line({ index: 1, value: [["r", 1, [1]]] })}\n{"index": 2, "trunc\n`);
    const history = await readWorkloadHistory(path);
    expect(history.problems.map((p) => p.line)).toEqual([3]);
    expect(checkListAppend(history.ops, { model: "serializable" }).verdict).toBe("pass");
    const result = checkListAppend(history.ops, { model: "serializable", inputProblems: history.problems });
    expect(result.verdict).toBe("unknown");
    expect(result.why).toMatch(new RegExp(`^bad input: line 3: ${path.replace(/[.]/g, "\\.")}: not JSON`));
    expect(checkBank([], { accounts: [0], initialTotal: 0, inputProblems: history.problems }).verdict).toBe("unknown");
  });

  it("a missing file is the caller's error, not bad input", async () => {
    await expect(readWorkloadHistory(join(tmpdir(), "havoc-no-such-history.ndjson"))).rejects.toThrow(/ENOENT/);
  });
});
