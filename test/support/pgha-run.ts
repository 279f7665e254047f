import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { History } from "../../core/history.ts";
import type { RunReport } from "../../judge/report-schema.ts";
import { readLatestReport, runHavoc, type CliRun } from "./run-cli.ts";

/** One write of the run's ledger (ledger.ndjson): `atMs` is when the request started, from traffic start. */
export interface LedgerEntry {
  id: string;
  outcome: "ok" | "fail" | "unknown";
  atMs: number;
}

/** A line of a node's log with Docker's own timestamp, converted to ms from traffic start. */
export interface LogLine {
  atMs: number;
  text: string;
}

export interface PghaRun {
  run: CliRun;
  report: RunReport;
  history: History;
  ledger: LedgerEntry[];
  runDir: string;
  /** Lines of a node's log (logs/<node>.log) that match `pattern`, in order. */
  logLines(node: string, pattern: RegExp): Promise<LogLine[]>;
}

/** Runs a pgha scenario through the CLI (as a user would) and loads what the run wrote. */
export async function runPgha(file: string, seed = 7): Promise<PghaRun> {
  const run = await runHavoc(["run", file, "--seed", String(seed)], { timeoutMs: 280_000 });
  const runDir = join(run.reportsDir, "latest");
  const report = await readLatestReport(run.reportsDir);
  const history = History.parse(JSON.parse(await readFile(join(runDir, "history.json"), "utf8")));
  const ledger = (await readFile(join(runDir, "ledger.ndjson"), "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as LedgerEntry);
  const logLines = async (node: string, pattern: RegExp): Promise<LogLine[]> => {
    const text = await readFile(join(runDir, "logs", `${node}.log`), "utf8");
    return text.split("\n").flatMap((line) => {
      // The harness saves container logs with Docker's RFC 3339 timestamp in front of each line.
      const match = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/.exec(line);
      if (!match || !pattern.test(match[2]!)) return [];
      return [{ atMs: Date.parse(match[1]!) - history.trafficStartEpochMs, text: match[2]! }];
    });
  };
  return { run, report, history, ledger, runDir, logLines };
}

/** The verdict and observed figure of one SLO of a report. */
export function slo(report: RunReport, id: string): { verdict: string; observed: number | null; why: string } {
  const found = report.slos.find((s) => s.id === id);
  if (!found) throw new Error(`no SLO "${id}" in the report (have ${report.slos.map((s) => s.id).join(", ")})`);
  return { verdict: found.verdict, observed: typeof found.observed === "number" ? found.observed : null, why: found.why ?? "" };
}

/** The acknowledged writes the readback did not find: ledger entries, so each carries its time. */
export function lostWrites(pgha: PghaRun, traffic = "devices"): LedgerEntry[] {
  const stored = new Set(pgha.history.writes[traffic]?.stored ?? []);
  const acknowledged = new Map<string, LedgerEntry>();
  for (const entry of pgha.ledger) if (entry.outcome === "ok" && !acknowledged.has(entry.id)) acknowledged.set(entry.id, entry);
  return [...acknowledged.values()].filter((entry) => !stored.has(entry.id)).sort((a, b) => a.atMs - b.atMs);
}

/** Acknowledged writes whose request started in [fromMs, toMs). */
export function acknowledgedBetween(pgha: PghaRun, fromMs: number, toMs: number): number {
  return pgha.ledger.filter((e) => e.outcome === "ok" && e.atMs >= fromMs && e.atMs < toMs).length;
}

/** When (ms from traffic start) and where a replica took the leader key after `afterMs`, from the Patroni logs. */
export async function promotion(pgha: PghaRun, nodes: readonly string[], afterMs: number): Promise<{ node: string; atMs: number } | undefined> {
  const found = await Promise.all(
    nodes.map(async (node) => ({ node, line: (await pgha.logLines(node, /promoted self to leader/)).find((l) => l.atMs > afterMs) })),
  );
  return found
    .flatMap(({ node, line }) => (line ? [{ node, atMs: line.atMs }] : []))
    .sort((a, b) => a.atMs - b.atMs)[0];
}
