import { describe, expect, it } from "vitest";
import type { OpRecord } from "../../core/history.ts";
import { formatOpLine, OP_LINE_MARKER } from "../../load/k6/lib/op-line-format.ts";
import { parseOpLine, parseOpLineBySchema } from "../../load/op-line-parser.ts";

/** A small deterministic generator (mulberry32), so a failure names a reproducible case. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const texts = ["http_201", "timeout", "app-1", "run-7f3a-devices-123456", "tab\there", "line\nbreak", "cr\rhere", "back\\slash", "\\t literally", "ünïcødé ✓", "a b", "-", "0"];
const numbers = [0, 1, 7, 1_733_456_789_012, 2_000, 12.5, 0.1, -3, 1e21, 1e-7, 123_456_789_012_345, 9_007_199_254_740_991, 2 ** 60];

function randomRecord(r: () => number): Omit<OpRecord, "traffic"> {
  const record: Omit<OpRecord, "traffic"> = { op: pick(r, ["write", "read"] as const), startEpochMs: pick(r, numbers), durationMs: pick(r, numbers), outcome: pick(r, ["ok", "fail", "unknown"] as const), cause: pick(r, [...texts, ""]) };
  if (r() < 0.6) record.node = pick(r, texts);
  if (r() < 0.6) record.id = pick(r, texts);
  if (r() < 0.3) record.stale = r() < 0.5;
  return record;
}

/** Both parsers on one line: the same record, or both refuse. */
function expectAgreement(line: string) {
  const fast = parseOpLine(line, "t");
  const spec = parseOpLineBySchema(line, "t");
  if (typeof spec === "string") expect(typeof fast, `fast parser accepted what the schema refuses (${spec}): ${JSON.stringify(line)}`).toBe("string");
  else expect(fast, `fast parser on ${JSON.stringify(line)}`).toEqual(spec);
}

describe("op line format 2", () => {
  it("round-trips every op a script can print, escapes included", () => {
    const r = rng(1);
    for (let i = 0; i < 2_000; i++) {
      const record = randomRecord(r);
      const line = formatOpLine({ havoc: "op", ...record });
      expect(line.includes("\n") || line.includes("\r"), line).toBe(false);
      expect(line.split("\t")).toHaveLength(9);
      expect(parseOpLine(line, "t"), line).toEqual({ ...record, traffic: "t" });
      expect(parseOpLineBySchema(line, "t"), line).toEqual({ ...record, traffic: "t" });
    }
  });

  it("prints the fields in the documented order", () => {
    expect(formatOpLine({ havoc: "op", op: "write", startEpochMs: 1_700_000_000_123, durationMs: 12, outcome: "unknown", cause: "timeout", node: "app-2", id: "r-1", stale: false })).toBe(
      `${OP_LINE_MARKER}\twrite\t1700000000123\t12\tunknown\ttimeout\tapp-2\tr-1\t0`,
    );
    expect(formatOpLine({ havoc: "op", op: "read", startEpochMs: 5, durationMs: 0.5, outcome: "ok", cause: "http_200" })).toBe(`${OP_LINE_MARKER}\tread\t5\t0.5\tok\thttp_200\t\t\t`);
    expect(formatOpLine({ op: "read", startEpochMs: 5, durationMs: 1, outcome: "fail", cause: "a\tb\\", id: "x\ny" })).toBe(`${OP_LINE_MARKER}\tread\t5\t1\tfail\ta\\tb\\\\\t\tx\\ny\t`);
  });

  it("agrees with the zod specification on hand-made invalid lines", () => {
    const valid = [OP_LINE_MARKER, "read", "1700000000000", "12", "ok", "http_200", "app-1", "id-1", ""];
    const withField = (index: number, value: string) => valid.map((v, i) => (i === index ? value : v)).join("\t");
    const bad: string[] = [
      "",
      OP_LINE_MARKER,
      `${OP_LINE_MARKER}\t`,
      valid.slice(0, 8).join("\t"),
      [...valid, ""].join("\t"),
      [...valid, "x"].join("\t"),
      ...["", "Write", "writes", "get", " read"].map((v) => withField(1, v)),
      ...["", " 12", "12 ", "0x10", "1e999", "-1e999", "Infinity", "NaN", "1.", ".5", "+1", "1e5", "1E+5", "--1", "-", "1_000", "12a", "١٢"].flatMap((v) => [withField(2, v), withField(3, v)]),
      ...["", "OK", "failed", "unknown "].map((v) => withField(4, v)),
      ...["a\\", "a\\x", "\\", "a\rb", "a\nb", "\\\\\\"].flatMap((v) => [withField(5, v), withField(6, v), withField(7, v)]),
      ...["2", "true", "00", " "].map((v) => withField(8, v)),
    ];
    for (const line of bad) {
      expect(typeof parseOpLineBySchema(line, "t"), `schema accepted ${JSON.stringify(line)}`).toBe("string");
      expectAgreement(line);
    }
    // And the valid variants next to them.
    for (const line of [valid.join("\t"), withField(2, "-0"), withField(3, "1e+21"), withField(3, "1e-7"), withField(3, "007"), withField(8, "1"), withField(6, ""), withField(7, ""), withField(5, "")]) {
      expect(typeof parseOpLine(line, "t"), line).toBe("object");
      expectAgreement(line);
    }
  });

  it("agrees with the zod specification on randomly damaged lines", () => {
    const r = rng(2);
    const alphabet = ["\t", "\\", "\n", "\r", "0", "9", "-", ".", "e", "+", "o", "k", "x", " ", "", "1"];
    for (let i = 0; i < 5_000; i++) {
      let line = formatOpLine({ havoc: "op", ...randomRecord(r) });
      for (let edits = 1 + Math.floor(r() * 3); edits > 0; edits--) {
        const at = Math.floor(r() * (line.length + 1));
        const cut = r() < 0.5 ? 1 : 0;
        line = line.slice(0, at) + pick(r, alphabet) + line.slice(at + cut);
      }
      expectAgreement(line);
    }
  });

  it("refuses format 1 and other versions by name", () => {
    const json = JSON.stringify({ havoc: "op", op: "read", startEpochMs: 1, durationMs: 1, outcome: "ok", cause: "http_200" });
    for (const parse of [parseOpLine, parseOpLineBySchema]) {
      expect(parse(json, "t")).toMatch(/format 1 \(JSON\) is no longer read.*havoc-op\/2/);
      expect(parse("havoc-op/3\tread\t1\t1\tok\thttp_200\t\t\t", "t")).toMatch(/format "3" is not read by this havoc/);
      expect(parse("havoc-op/2x\tread", "t")).toMatch(/format "2x" is not read/);
    }
  });

  it("gives every record the same keys, absent ones undefined", () => {
    const record = parseOpLine(`${OP_LINE_MARKER}\tread\t1\t2\tok\thttp_200\t\t\t`, "t");
    expect(record).toEqual({ traffic: "t", op: "read", startEpochMs: 1, durationMs: 2, outcome: "ok", cause: "http_200" });
    expect(Object.keys(record as object).sort()).toEqual(["cause", "durationMs", "id", "node", "op", "outcome", "stale", "startEpochMs", "traffic"]);
  });
});
