import { describe, expect, it } from "vitest";
import { boundedDuration, checkDuration, DurationMs, DurationText, formatDuration, Milliseconds, parseDurationMs, type DurationInput, type MillisecondsInput } from "../../core/duration.ts";

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
    ];
    for (const [input, ms] of cases) expect([input, parseDurationMs(input)]).toEqual([input, ms]);
    expect(parseDurationMs(" 20s ")).toBe(20_000);
  });

  it("refuses a bare number, offering both readings in the writer's units; a field named ...Ms reads it as milliseconds", () => {
    expect(refusal(10)).toBe('10 has no unit: for 10 seconds write "10s", for 10 milliseconds "10ms"');
    expect(refusal(90)).toBe('90 has no unit: for 90 seconds write "1m30s", for 90 milliseconds "90ms"');
    expect(refusal(1.5)).toBe('1.5 has no unit: for 1.5 seconds write "1.5s", for 1.5 milliseconds "1.5ms"');
    // From 1000 on the number was likely computed in milliseconds: that reading comes first.
    expect(refusal(30_000)).toBe('30000 has no unit: for 30000 milliseconds write "30s", for 30000 seconds "8h20m"');
    expect(refusal(0)).toBe('0 has no unit: write "0s"');
    expect(parseDurationMs(250)).toBeUndefined();
    expect(parseDurationMs(250, { numbers: "milliseconds" })).toBe(250);
    expect(parseDurationMs(0.6, { numbers: "milliseconds" })).toBe(1);
    expect(Milliseconds.parse(250)).toBe(250);
    expect(Milliseconds.parse("2s")).toBe(2_000);
    expect(DurationMs.safeParse(250).error?.issues[0]?.message).toBe('250 has no unit: for 250 seconds write "4m10s", for 250 milliseconds "250ms"');
  });

  it("states bounds in the writer's units", () => {
    const traffic = boundedDuration({ minMs: 1_000, maxMs: 86_400_000 });
    expect(traffic.safeParse("500ms").error?.issues[0]?.message).toBe("expected at least 1s, got 500ms");
    expect(traffic.safeParse("25h").error?.issues[0]?.message).toBe("expected at most 24h, got 25h");
    expect(traffic.safeParse(30).error?.issues[0]?.message).toMatch(/^30 has no unit/);
    expect(traffic.parse("1m30s")).toBe(90_000);
  });

  it("checks a helper's duration option and keeps it as written", () => {
    expect(DurationText.parse("1m30s")).toBe("1m30s");
    expect(DurationText.safeParse(5).error?.issues[0]?.message).toMatch(/^5 has no unit/);
    expect(DurationText.safeParse("5 secs").error?.issues[0]?.message).toMatch(/write "5s"$/);
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
    expect(refusal("90")).toMatch(/got "90": a string needs a unit: write "90s", "90ms" or "90m"$/);
    expect(refusal("500us")).toMatch(/whole milliseconds/);
    expect(refusal("-5s")).toMatch(/never negative/);
  });

  it("refuses what is no duration at all, naming it", () => {
    expect(refusal("soon")).toBe('expected a duration such as "20s", "1m30s" or "500ms"; got "soon"');
    expect(refusal("")).toMatch(/got ""$/);
    expect(refusal("ms")).toMatch(/got "ms"$/);
    expect(refusal(true)).toBe('expected a duration such as "20s", "1m30s" or "500ms"; got true');
    expect(refusal(-5)).toBe('-5 is no duration (a duration is never negative, and needs a unit, e.g. "5s")');
    expect(checkDuration(-5, { numbers: "milliseconds" })).toEqual({ ok: false, message: 'expected a duration such as "20s", "1m30s" or "500ms"; got -5: a duration is never negative' });
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
    const typed: DurationInput[] = ["1m30s", "1h2m", "2s500ms", "1h2m3s4ms", `${250 * 2}ms`];
    expect(typed).toHaveLength(5);
    // @ts-expect-error a bare number is no duration: seconds or milliseconds?
    const bare: DurationInput = 500;
    const ms: MillisecondsInput = 500;
    expect([bare, ms]).toHaveLength(2);
    // @ts-expect-error a space is no duration
    const spaced: DurationInput = "20 secs";
    // @ts-expect-error days are not a unit
    const days: DurationInput = "1d";
    expect([spaced, days]).toHaveLength(2);
  });
});
