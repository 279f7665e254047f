import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { History, type TimelineBucket } from "../../core/history.ts";
import { mergeHistograms, percentileMs, type LatencyHistogram } from "../../core/latency-histogram.ts";
import { readLatestReport, runHavoc } from "./run-cli.ts";

/** Runs a scenario through the CLI and loads what it recorded. */
export async function runScenario(file: string, options: { timeoutMs?: number } = {}) {
  const run = await runHavoc(["run", file, "--seed", "7"], options);
  const report = await readLatestReport(run.reportsDir);
  const history = History.parse(JSON.parse(await readFile(join(run.reportsDir, "latest", "history.json"), "utf8")));
  const nodeLog = (node: string) => readFile(join(run.reportsDir, "latest", "logs", `${node}.log`), "utf8");
  return { run, report, history, nodeLog };
}

/** One traffic class's buckets of the whole seconds in [fromMs, toMs). */
export function secondsWithin(history: History, traffic: string, fromMs: number, toMs: number): TimelineBucket[] {
  return history.timeline
    .filter((b) => b.traffic === traffic && b.second >= Math.ceil(fromMs / 1000) && b.second < Math.floor(toMs / 1000))
    .sort((a, b) => a.second - b.second);
}

/** ok, all requests and unknown outcomes of one class in the whole seconds in [fromMs, toMs). */
export function countsWithin(history: History, traffic: string, fromMs: number, toMs: number): { ok: number; requests: number; unknown: number; causes: Record<string, number> } {
  const buckets = secondsWithin(history, traffic, fromMs, toMs);
  const causes: Record<string, number> = {};
  for (const b of buckets) for (const [cause, n] of Object.entries(b.causes)) causes[cause] = (causes[cause] ?? 0) + n;
  return {
    ok: buckets.reduce((n, b) => n + b.ok, 0),
    requests: buckets.reduce((n, b) => n + b.requests, 0),
    unknown: buckets.reduce((n, b) => n + b.unknown, 0),
    causes,
  };
}

/** A latency percentile (ms) over one class's whole seconds in [fromMs, toMs), from the per-second histograms. */
export function percentileWithin(history: History, traffic: string, fromMs: number, toMs: number, percentile: number): number {
  const merged: LatencyHistogram = {};
  for (const b of secondsWithin(history, traffic, fromMs, toMs)) mergeHistograms(merged, b.latency);
  const value = percentileMs(merged, percentile);
  if (value === undefined) throw new Error(`no ${traffic} requests in ${fromMs}..${toMs} ms`);
  return value;
}
