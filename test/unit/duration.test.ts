import { describe, expect, it } from "vitest";
import { checkDuration, DurationMs, formatDuration, parseDurationMs, type DurationInput } from "../../core/duration.ts";

const refusal = (input: unknown) => {
  const checked = checkDuration(input);
  if (checked.ok) throw new Error(`${JSON.stringify(input)} was accepted as ${checked.ms} ms`);
  return checked.message;
};

describe("durations", () => {
  it("reads single and compound durations, largest unit first (k6's and Go's syntax)", () => {
    const cases: [DurationInput, number][] = [
      ["500ms", 500],
      ["20s", 20_000],
      ["2m", 120_000],
      ["1h", 3_600_000],
      ["1m30s", 90_000],
      ["1h2m", 3_720_000],
      ["2s500ms", 2_500],
      ["1h2m3s4ms", 3_723_004],
      ["1.5m", 90_000],
      ["0s", 0],
      [1500, 1500],
    ];
    for (const [input, ms] of cases) expect([input, parseDurationMs(input)]).toEqual([input, ms]);
    expect(parseDurationMs(" 20s ")).toBe(20_000);
  });

  it("keeps a bare number as milliseconds, rounded", () => {
    expect(parseDurationMs(250)).toBe(250);
    expect(parseDurationMs(0.6)).toBe(1);
  });

  it("says what was given and what to write instead, in the writer's own units", () => {
    expect(refusal("20 secs")).toBe('expected a duration such as "20s", "1m30s" or "500ms"; got "20 secs": write "20s"');
    expect(refusal("1m 30s")).toMatch(/got "1m 30s": write "1m30s"$/);
    expect(refusal("2 minutes and 30 seconds")).toMatch(/write "2m30s"$/);
    expect(refusal("1.5 Hours")).toMatch(/write "1.5h"$/);
    expect(refusal("20S")).toMatch(/write "20s"$/);
    expect(refusal("1m30")).toMatch(/write "1m30s"$/);
    expect(refusal("1h30")).toMatch(/write "1h30m"$/);
    expect(refusal("30s1m")).toMatch(/got "30s1m": write each unit once, largest first: "1m30s"$/);
    expect(refusal("2d")).toMatch(/write "48h"$/);
    expect(refusal("90")).toMatch(/got "90": a string needs a unit: write "90ms", "90s" or "90m" \(or the number 90 for milliseconds\)$/);
    expect(refusal("500us")).toMatch(/whole milliseconds/);
    expect(refusal("-5s")).toMatch(/never negative/);
  });

  it("refuses what is no duration at all, naming it", () => {
    expect(refusal("soon")).toBe('expected a duration such as "20s", "1m30s" or "500ms"; got "soon"');
    expect(refusal("")).toMatch(/got ""$/);
    expect(refusal("ms")).toMatch(/got "ms"$/);
    expect(refusal(true)).toBe('expected a duration such as "20s", "1m30s" or "500ms"; got true');
    expect(refusal(-5)).toMatch(/\(a number is milliseconds >= 0\); got -5: a duration is never negative$/);
    expect(refusal(Number.NaN)).toMatch(/got NaN$/);
    expect(refusal({ seconds: 5 })).toMatch(/got \{"seconds":5\}$/);
  });

  it("gives the same messages through the zod schema", () => {
    expect(DurationMs.parse("1m30s")).toBe(90_000);
    const result = DurationMs.safeParse("20 secs");
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message)).toEqual(['expected a duration such as "20s", "1m30s" or "500ms"; got "20 secs": write "20s"']);
    expect(DurationMs.safeParse(undefined).error?.issues[0]?.message).toBe('missing (expected a duration such as "20s", "1m30s" or "500ms")');
  });

  it("formats milliseconds in the largest exact units", () => {
    expect(formatDuration(90_000)).toBe("1m30s");
    expect(formatDuration(250)).toBe("250ms");
    expect(formatDuration(3_600_000)).toBe("1h");
    expect(formatDuration(1_500)).toBe("1s500ms");
    expect(formatDuration(3_723_004)).toBe("1h2m3s4ms");
    expect(formatDuration(0)).toBe("0s");
    expect(formatDuration(-1_500)).toBe("-1s500ms");
  });

  it("reads back what it formats", () => {
    for (const ms of [0, 1, 999, 1_000, 59_999, 60_000, 90_500, 3_599_999, 3_600_000, 86_400_000 + 1]) expect(parseDurationMs(formatDuration(ms))).toBe(ms);
  });

  it("types compound durations for the editor and rejects the rest", () => {
    const typed: DurationInput[] = ["1m30s", "1h2m", "2s500ms", "1h2m3s4ms", 500];
    expect(typed).toHaveLength(5);
    // @ts-expect-error a space is no duration
    const spaced: DurationInput = "20 secs";
    // @ts-expect-error days are not a unit
    const days: DurationInput = "1d";
    expect([spaced, days]).toHaveLength(2);
  });
});
