import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { InputError } from "../core/errors.ts";
import { History, type ContainerEvent, type FaultRecord, type LeaderChange, type TimelineBucket, type WriteSets } from "../core/history.ts";
import type { Logger } from "../core/log.ts";
import { RunEvent } from "../core/run-events.ts";
import { Verdict } from "../core/verdict.ts";
import { summarizeDataLoss } from "../judge/data-loss.ts";
import { RunReport, RunStatus, type ReportPlan } from "../judge/report-schema.ts";
import { exitCodeFor } from "../judge/evaluate.ts";
import { summarizeTraffic } from "../judge/traffic-summary.ts";
import { writeReports, type WriteReportsResult } from "./write-reports.ts";

/**
 * Re-rendering a saved run directory. Every reporter renders a RunReport (+ History), so a run's files can be
 * rewritten after a reporter changed, and a killed run (no report.json) still gets a report, rebuilt from the
 * events.ndjson the runner appends to as the run goes.
 */

export const INCOMPLETE_REASON = "run did not finish (no run-finished event)";

export interface LoadedRun {
  /** Always present: a directory that yields no report throws an InputError instead. */
  report: RunReport;
  /** Absent only when report.json exists but neither history.json nor events.ndjson does (no timeline then). */
  history?: History;
  /** The report is partial, no SLO judged: rebuilt from events.ndjson, or a saved report of status "incomplete". */
  incomplete: boolean;
  /** Lines of events.ndjson that were skipped (a torn last line, an unknown event type), for the log. */
  warnings: string[];
}

/** Reads and validates one JSON file; a broken file names itself and its first problems. */
async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new InputError(`${path} is not valid JSON: ${(error as Error).message}`, undefined, { cause: error });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) throw new InputError(`${path} does not match the report schema:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** More than this many skipped lines are summed up in one warning: one bad line per bucket would flood the log. */
const MAX_LINE_WARNINGS = 5;

/**
 * Parses events.ndjson leniently: a killed run can leave a torn last line, and a newer runner may write event
 * types this reader does not know. Both are skipped with a warning rather than losing the whole record.
 */
export function parseEventLines(text: string, eventsPath: string): { events: RunEvent[]; warnings: string[] } {
  const lines = text.split("\n");
  const events: RunEvent[] = [];
  const skipped: string[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    // Only the final line can be torn: every earlier one ended with the "\n" its write carried.
    const isTornTail = i === lines.length - 1;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      skipped.push(isTornTail ? `ignored the torn last line ${i + 1} of ${eventsPath} (the run stopped mid-write)` : `skipped line ${i + 1} of ${eventsPath}: not JSON`);
      return;
    }
    const parsed = RunEvent.safeParse(json);
    if (parsed.success) events.push(parsed.data);
    else skipped.push(`skipped line ${i + 1} of ${eventsPath}: not a known event (${String((json as { type?: unknown })?.type ?? "no type")})`);
  });
  const warnings = skipped.slice(0, MAX_LINE_WARNINGS);
  if (skipped.length > MAX_LINE_WARNINGS) warnings.push(`... and ${skipped.length - MAX_LINE_WARNINGS} more skipped lines of ${eventsPath}`);
  return { events, warnings };
}

type EventOf<T extends RunEvent["type"]> = Extract<RunEvent, { type: T }>;

/**
 * The History as far as the events go: buckets, faults (healedAtMs null until a heal event), container events.
 * Write ids are only in ledger.ndjson and history.json, so each class gets stored: null, which makes data loss
 * read "n/a" (not measured) rather than "lost 0".
 */
export function historyFromEvents(events: readonly RunEvent[]): { history: History; started: EventOf<"run-started"> } {
  const started = events.find((e): e is EventOf<"run-started"> => e.type === "run-started");
  if (!started) throw new InputError("events.ndjson has no run-started event, so the run cannot be identified");
  const trafficStarted = events.find((e): e is EventOf<"traffic-started"> => e.type === "traffic-started");
  const timeline: TimelineBucket[] = [];
  const faults = new Map<string, FaultRecord>();
  const containerEvents: ContainerEvent[] = [];
  const droppedIterations: Record<string, number> = {};
  const leaderChanges: LeaderChange[] = [];
  let controlLost: History["controlLost"];
  // The events stop where the run stopped: that is as far as the timeline can be drawn.
  let endMs = 0;
  for (const e of events) {
    if (e.atMs !== null && e.type !== "run-finished") endMs = Math.max(endMs, e.atMs);
    switch (e.type) {
      case "timeline":
        timeline.push(e.bucket);
        endMs = Math.max(endMs, (e.bucket.second + 1) * 1000);
        break;
      case "container":
        containerEvents.push(e.event);
        break;
      case "fault-injected":
        faults.set(e.id, { id: e.id, kind: e.kind, targets: e.targets, calledAtMs: e.calledAtMs, injectedAtMs: e.injectedAtMs, healedAtMs: null, mechanism: e.mechanism, notes: [...e.notes] });
        break;
      case "fault-healed": {
        const fault = faults.get(e.id);
        if (fault) faults.set(e.id, { ...fault, healedAtMs: e.healedAtMs, ...(e.calledAtMs !== undefined ? { healCalledAtMs: e.calledAtMs } : {}), notes: [...fault.notes, ...e.notes] });
        break;
      }
      case "fault-error": {
        const fault = faults.get(e.id);
        if (fault) faults.set(e.id, { ...fault, notes: [...fault.notes, `${e.stage} failed: ${e.message}`] });
        break;
      }
      case "traffic-finished":
        droppedIterations[e.traffic] = e.droppedIterations;
        break;
      case "leader-change":
        leaderChanges.push(e.change);
        break;
      case "control-lost":
        controlLost ??= { fromMs: e.fromMs, reason: e.reason };
        break;
    }
  }
  const classes = trafficStarted?.classes ?? [...new Set(timeline.map((b) => b.traffic))];
  const writes: Record<string, WriteSets> = Object.fromEntries(classes.map((c) => [c, { acknowledged: [], unknown: [], failed: [], stored: null }]));
  const history = History.parse({
    runId: started.runId,
    scenario: started.scenario,
    seed: started.seed,
    // Before traffic started there is no run clock; the run's start is the best origin there is.
    trafficStartEpochMs: trafficStarted?.originEpochMs ?? Date.parse(started.wall),
    trafficEndMs: endMs,
    timeline,
    faults: [...faults.values()],
    containerEvents,
    writes,
    droppedIterations,
    ...(controlLost ? { controlLost } : {}),
    // Series samples are kept in memory only; the leader changes were written as they happened.
    ...(leaderChanges.length > 0 ? { probes: { series: [], leaderChanges, samples: 0 } } : {}),
  });
  return { history, started };
}

/** The plan event's heal times are always numbers; the report's type also allows null ("end of traffic"). */
function planFromEvents(events: readonly RunEvent[], seed: number): ReportPlan {
  const plan = events.find((e): e is EventOf<"plan"> => e.type === "plan");
  return { seed, faults: (plan?.faults ?? []).map(({ id, kind, targets, atMs, healAtMs }) => ({ id, kind, targets, atMs, healAtMs })) };
}

/** Files the runner leaves besides the reports, listed so report.html links what is really there. */
const RUN_FILES = ["events.ndjson", "history.json", "ledger.ndjson", "k6.log", "timeline.png"];

export interface RebuildOptions {
  runDir: string;
  eventsPath: string;
  /** history.json, when the run got that far: complete, so it beats the events' partial History. */
  savedHistory?: History;
}

/**
 * A report for a run without report.json. No run-finished event: status "incomplete", verdict "unknown" (a
 * killed run never passes, and its SLOs were never judged). A run-finished event (report.json lost later):
 * its recorded status and verdict, still without SLO results.
 */
export function rebuildFromEvents(text: string, options: RebuildOptions): { report: RunReport; history: History; warnings: string[] } {
  const { events, warnings } = parseEventLines(text, options.eventsPath);
  const rebuilt = historyFromEvents(events);
  const history = options.savedHistory ?? rebuilt.history;
  const { started } = rebuilt;
  const finished = events.find((e): e is EventOf<"run-finished"> => e.type === "run-finished");
  const trafficStarted = events.find((e): e is EventOf<"traffic-started"> => e.type === "traffic-started");
  const verdict: Verdict = finished ? (Verdict.safeParse(finished.verdict).data ?? "unknown") : "unknown";
  const status: RunStatus = finished ? (RunStatus.safeParse(finished.status).data ?? "error") : "incomplete";
  const startedAt = new Date(Date.parse(started.wall)).toISOString();
  const finishedAt = new Date(Math.max(...events.map((e) => Date.parse(e.wall)).filter(Number.isFinite))).toISOString();
  const report = RunReport.parse({
    schemaVersion: 1,
    runId: started.runId,
    scenario: started.scenario,
    description: "",
    tags: started.tags ?? [],
    expect: started.expect ?? "pass",
    expectFailing: started.expectFailing ?? [],
    seed: started.seed,
    startedAt,
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)),
    trafficEndMs: history.trafficEndMs,
    verdict,
    exitCode: finished?.exitCode ?? exitCodeFor(verdict),
    status,
    reason: finished ? "report.json is missing; rebuilt from events.ndjson, which records the verdict but not the SLO results" : INCOMPLETE_REASON,
    slos: [],
    faults: history.faults.map((f) => ({ id: f.id, kind: f.kind, targets: f.targets, injectedAt: f.injectedAtMs, healedAt: f.healedAtMs, mechanism: f.mechanism, notes: f.notes })),
    dataLoss: summarizeDataLoss(history.writes),
    traffic: summarizeTraffic(history, trafficStarted?.classes ?? []),
    plan: planFromEvents(events, started.seed),
    containerEvents: history.containerEvents.length,
    artifacts: RUN_FILES.filter((f) => existsSync(join(options.runDir, f))),
  });
  return { report, history, warnings };
}

/**
 * Loads what a run directory holds. report.json (+ history.json) as the runner wrote them wins; without
 * report.json the report is rebuilt from events.ndjson (see rebuildFromEvents). Throws InputError naming the
 * path when the directory has neither report.json nor events.ndjson, or a file there is malformed.
 */
export async function loadRunDir(runDir: string): Promise<LoadedRun> {
  const reportPath = join(runDir, "report.json");
  const historyPath = join(runDir, "history.json");
  const eventsPath = join(runDir, "events.ndjson");
  const hasEvents = existsSync(eventsPath);
  const savedHistory = existsSync(historyPath) ? await readJson(historyPath, History) : undefined;
  if (existsSync(reportPath)) {
    const report = await readJson(reportPath, RunReport);
    // A killed run re-rendered once has a report.json that is still incomplete.
    const incomplete = report.status === "incomplete";
    if (savedHistory || !hasEvents) return { report, ...(savedHistory ? { history: savedHistory } : {}), incomplete, warnings: [] };
    // No history.json (a killed run, or it was lost), but the timeline can still be drawn from the events.
    const { events, warnings } = parseEventLines(await readFile(eventsPath, "utf8"), eventsPath);
    return { report, history: historyFromEvents(events).history, incomplete, warnings };
  }
  if (!hasEvents) {
    throw new InputError(`${runDir} has neither report.json nor events.ndjson, so there is no run to report`, "pass a run directory such as havoc-results/runs/<run id> or havoc-results/latest");
  }
  const rebuilt = rebuildFromEvents(await readFile(eventsPath, "utf8"), { runDir, eventsPath, ...(savedHistory ? { savedHistory } : {}) });
  return { report: rebuilt.report, history: rebuilt.history, incomplete: true, warnings: rebuilt.warnings };
}

export interface RerenderResult extends WriteReportsResult {
  incomplete: boolean;
}

/** Loads the run directory and re-writes every report file, report.json included, through writeReports. */
export async function rerenderRunDir(runDir: string, log: Logger): Promise<RerenderResult> {
  const loaded = await loadRunDir(runDir);
  for (const warning of loaded.warnings) log.warn(warning);
  if (loaded.incomplete) log.warn(`${runDir}: partial report, rebuilt from events.ndjson (no SLO judged)`);
  const result = await writeReports(runDir, loaded.report, loaded.history, log);
  return { ...result, incomplete: loaded.incomplete };
}
