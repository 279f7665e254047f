import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { InputError } from "../../core/errors.ts";
import type { History, TimelineBucket } from "../../core/history.ts";
import { createLogger } from "../../core/log.ts";
import type { RunEventBody } from "../../core/run-events.ts";
import { RunReport } from "../../judge/report-schema.ts";
import { renderConsoleTable } from "../../reports/reporters/console-table.ts";
import { INCOMPLETE_REASON, loadRunDir, parseEventLines, rerenderRunDir } from "../../reports/rerender.ts";
import { reportCommand } from "../../engine/commands/report.ts";

// A run killed 12 s into traffic: kill-app-2 healed, pause-db injected but never healed, last line torn.

const origin = Date.parse("2025-01-01T10:00:00.000Z");

function line(atMs: number | null, body: RunEventBody): string {
  const wall = new Date(atMs === null ? origin - 5_000 : origin + atMs).toISOString();
  return JSON.stringify({ wall, atMs, ...body });
}

function bucket(traffic: string, second: number, ok: number, fail = 0): TimelineBucket {
  return { traffic, second, requests: ok + fail, ok, fail, unknown: 0, causes: { http_201: ok, ...(fail ? { http_503: fail } : {}) }, latency: { "30": ok + fail }, freshnessChecks: 0, staleReads: 0 };
}

function killedRunEvents(): string {
  const lines = [
    line(null, { type: "run-started", runId: "run-killed", scenario: "demo", file: "scenarios/demo.ts", seed: 77, pid: 123 }),
    line(null, {
      type: "plan",
      faults: [
        { id: "kill-app-2", kind: "kill", targets: ["app-2"], atMs: 2_000, healAtMs: 5_000 },
        { id: "pause-db", kind: "pause", targets: ["db"], atMs: 8_000, healAtMs: 20_000 },
      ],
    }),
    line(0, { type: "traffic-started", originEpochMs: origin, classes: ["devices", "users"] }),
  ];
  for (let s = 0; s < 12; s++) {
    lines.push(line(s * 1000 + 1000, { type: "timeline", bucket: bucket("devices", s, s >= 2 && s < 5 ? 80 : 100, s >= 2 && s < 5 ? 20 : 0) }));
  }
  lines.push(
    line(2_000, { type: "fault-injected", id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAtMs: 2_010, mechanism: "docker kill SIGKILL", notes: [] }),
    line(2_015, { type: "container", event: { atMs: 2_010, node: "app-2", action: "die", exitCode: 137 } }),
    line(5_000, { type: "fault-healed", id: "kill-app-2", healedAtMs: 5_100, notes: ["restarted"] }),
    line(8_000, { type: "fault-injected", id: "pause-db", kind: "pause", targets: ["db"], injectedAtMs: 8_020, mechanism: "docker pause", notes: [] }),
    line(11_500, { type: "phase", phase: "traffic" }),
  );
  // SIGKILL mid-write: half a line, no newline, no run-finished.
  const torn = line(12_000, { type: "timeline", bucket: bucket("devices", 12, 100) });
  return lines.join("\n") + "\n" + torn.slice(0, 40);
}

let dir: string;
const silent = createLogger("test", () => undefined);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "havoc-rerender-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("parseEventLines", () => {
  it("keeps every whole line, ignores a torn last line and an unknown event type, with warnings", () => {
    const text = killedRunEvents().replace("\n", `\n{"wall":"2025-01-01T10:00:00.000Z","atMs":null,"type":"from-the-future"}\n`);
    const { events, warnings } = parseEventLines(text, "events.ndjson");
    expect(events).toHaveLength(3 + 12 + 5);
    expect(warnings).toEqual([
      "skipped line 2 of events.ndjson: not a known event (from-the-future)",
      expect.stringMatching(/^ignored the torn last line 22 of events.ndjson/),
    ]);
  });
});

describe("loadRunDir on a killed run (events.ndjson only)", () => {
  it("rebuilds a partial history and an incomplete report that does not pass", async () => {
    await writeFile(join(dir, "events.ndjson"), killedRunEvents());
    const loaded = await loadRunDir(dir);
    expect(loaded.incomplete).toBe(true);
    expect(loaded.warnings).toHaveLength(1);
    const { report, history } = loaded;
    expect(RunReport.parse(report)).toEqual(report);
    expect(report).toMatchObject({ runId: "run-killed", scenario: "demo", seed: 77, status: "incomplete", verdict: "unknown", exitCode: 4, reason: INCOMPLETE_REASON, slos: [] });
    expect(report.startedAt).toBe(new Date(origin - 5_000).toISOString());
    expect(report.finishedAt).toBe(new Date(origin + 12_000).toISOString());
    expect(report.faults).toEqual([
      { id: "kill-app-2", kind: "kill", targets: ["app-2"], injectedAt: 2_010, healedAt: 5_100, mechanism: "docker kill SIGKILL", notes: ["restarted"] },
      { id: "pause-db", kind: "pause", targets: ["db"], injectedAt: 8_020, healedAt: null, mechanism: "docker pause", notes: [] },
    ]);
    expect(report.plan).toEqual({ seed: 77, faults: [expect.objectContaining({ id: "kill-app-2", atMs: 2_000, healAtMs: 5_000 }), expect.objectContaining({ id: "pause-db" })] });
    expect(report.traffic["devices"]).toMatchObject({ requests: 1_200, ok: 1_140, fail: 60 });
    // A class that never sent anything is still listed: that is a finding, not noise.
    expect(report.traffic["users"]).toMatchObject({ requests: 0, availabilityPercent: null });
    // Write ids were never read back: data loss is "not measured", never "lost 0".
    expect(report.dataLoss).toMatchObject({ acknowledged: 0, lost: null, stored: null });
    expect(report.containerEvents).toBe(1);
    expect(history).toMatchObject({ runId: "run-killed", trafficStartEpochMs: origin, trafficEndMs: 12_000, containerEvents: [{ atMs: 2_010, node: "app-2", action: "die", exitCode: 137 }] });
    expect(history?.timeline).toHaveLength(12);
    expect(history?.faults.find((f) => f.id === "pause-db")?.healedAtMs).toBeNull();
  });

  it("takes the recorded status and verdict when run-finished is there but report.json is not", async () => {
    const finished = line(30_000, { type: "run-finished", status: "completed", verdict: "fail", exitCode: 1 });
    await writeFile(join(dir, "events.ndjson"), killedRunEvents().replace(/\n[^\n]*$/, "\n") + finished + "\n");
    const { report, incomplete } = await loadRunDir(dir);
    expect(incomplete).toBe(true);
    expect(report).toMatchObject({ status: "completed", verdict: "fail", exitCode: 1, slos: [] });
    expect(report.reason).toMatch(/report\.json is missing/);
  });

  it("names the directory when it holds no run", async () => {
    await expect(loadRunDir(dir)).rejects.toThrow(InputError);
    await expect(loadRunDir(dir)).rejects.toThrow(`${dir} has neither report.json nor events.ndjson`);
  });

  it("names the file when report.json is malformed", async () => {
    await writeFile(join(dir, "report.json"), JSON.stringify({ schemaVersion: 1, runId: 5 }));
    await expect(loadRunDir(dir)).rejects.toThrow(`${join(dir, "report.json")} does not match the report schema`);
  });
});

describe("rerenderRunDir", () => {
  it("writes every report file for a killed run, and a second re-render keeps it incomplete with its timeline", async () => {
    await writeFile(join(dir, "events.ndjson"), killedRunEvents());
    const first = await rerenderRunDir(dir, silent);
    expect(first.incomplete).toBe(true);
    expect(first.failures).toEqual([]);
    expect(first.written).toEqual(["junit.xml", "summary.md", "report.html", "report.json"]);
    for (const file of first.written) expect(existsSync(join(dir, file))).toBe(true);
    expect(first.report.artifacts).toEqual(expect.arrayContaining(["events.ndjson", "report.html", "report.json"]));
    const html = await readFile(join(dir, "report.html"), "utf8");
    expect(html).toContain(INCOMPLETE_REASON);
    expect(html.match(/<g class="fault-band"/g)).toHaveLength(2 * 2); // two faults on each of two classes
    expect(html).toContain("never healed");

    // Now report.json exists (still without history.json): loaded as is, timeline again from the events.
    const second = await loadRunDir(dir);
    expect(second).toMatchObject({ incomplete: true, report: { status: "incomplete", verdict: "unknown" } });
    expect(second.history?.timeline).toHaveLength(12);
  });

  it("re-renders a finished run from report.json + history.json unchanged", async () => {
    const history: History = {
      runId: "run-done",
      scenario: "demo",
      seed: 1,
      trafficStartEpochMs: origin,
      trafficEndMs: 3_000,
      timeline: [bucket("devices", 0, 10), bucket("devices", 1, 10), bucket("devices", 2, 10)],
      faults: [],
      containerEvents: [],
      writes: {},
      droppedIterations: {},
      droppedBySecond: [],
    };
    await writeFile(join(dir, "events.ndjson"), killedRunEvents());
    await writeFile(join(dir, "history.json"), JSON.stringify(history));
    const seeded = await rerenderRunDir(dir, silent); // gives a schema-valid report.json to start from
    const report = { ...seeded.report, runId: "run-done", status: "completed" as const, verdict: "pass" as const, exitCode: 0, reason: null };
    await writeFile(join(dir, "report.json"), JSON.stringify(report));
    const again = await rerenderRunDir(dir, silent);
    expect(again.incomplete).toBe(false);
    expect(again.report).toEqual(report);
    expect(JSON.parse(await readFile(join(dir, "report.json"), "utf8"))).toEqual(report);
  });
});

describe("reportCommand", () => {
  it("exits 2 naming the path for a directory without a run, 0 after re-rendering a killed one", async () => {
    const stderr: string[] = [];
    const stdout: string[] = [];
    const origErr = process.stderr.write.bind(process.stderr);
    const origOut = process.stdout.write.bind(process.stdout);
    process.stderr.write = ((s: string) => (stderr.push(s), true)) as typeof process.stderr.write;
    process.stdout.write = ((s: string) => (stdout.push(s), true)) as typeof process.stdout.write;
    try {
      expect(await reportCommand(dir, silent)).toBe(2);
      expect(stderr.join("")).toContain(`${dir} has neither report.json nor events.ndjson`);
      expect(await reportCommand(join(dir, "nope"), silent)).toBe(2);
      expect(stderr.join("")).toContain(`${join(dir, "nope")} does not exist`);
      await writeFile(join(dir, "events.ndjson"), killedRunEvents());
      expect(await reportCommand(dir, silent)).toBe(0);
    } finally {
      process.stderr.write = origErr;
      process.stdout.write = origOut;
    }
    const table = stdout.join("");
    expect(table).toContain("(no SLOs judged)");
    expect(table).toContain(`run incomplete: ${INCOMPLETE_REASON}`);
    expect(table).toContain("verdict: UNKNOWN (exit 4)");
    expect(table).toBe(`\n${renderConsoleTable(RunReport.parse(JSON.parse(await readFile(join(dir, "report.json"), "utf8"))))}\nreport: ${dir}\n`);
  });
});
