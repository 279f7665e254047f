import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Stats } from "./stats.ts";

/** bench/results/: one JSON file per bench script, committed after a real run (see bench/README.md). */
export const resultsDir = join(dirname(fileURLToPath(import.meta.url)), "..", "results");

/** One figure: the harness's side, and the baseline it is compared with in the same process tree. */
export interface BenchRow {
  /** Stable id, e.g. "fault.isolate.inject". */
  id: string;
  /** What is measured, for the README table. */
  figure: string;
  /** Unit of every number in the stats ("ms", "req/s", "lines/s", "MB"). */
  unit: string;
  havoc: Stats;
  baseline?: { what: string; stats: Stats };
  /** havoc p50 / baseline p50. */
  ratio?: number;
  /** Per repetition havoc / baseline, each pair measured back to back (robust to a machine whose load drifts). */
  pairedRatio?: Stats;
  /** The goal this figure is held to, when it has one (figures are printed, never asserted). */
  goal?: string;
}

export interface BenchResult {
  bench: string;
  /** The command that produced this file. */
  command: string;
  startedAt: string;
  finishedAt: string;
  machine: { cores: number; memoryGiB: number; kernel: string; loadAvgAtStart: number[]; loadAvgAtEnd: number[] };
  commit: string;
  rows: BenchRow[];
  notes: string[];
}

function commit(): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    // The benches' own outputs (results, the rendered README) do not make the measured code differ from HEAD.
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results", ":!bench/README.md"], { encoding: "utf8" }).trim() !== "";
    return dirty ? `${head}+uncommitted` : head;
  } catch {
    return "unknown";
  }
}

/** Collects rows while a bench runs; write() saves bench/results/<name>.json and prints where. */
export class BenchRecorder {
  readonly rows: BenchRow[] = [];
  readonly notes: string[] = [];
  readonly #startedAt = new Date();
  readonly #loadAtStart = loadavg();

  constructor(
    readonly bench: string,
    readonly command: string,
  ) {}

  add(row: BenchRow): void {
    this.rows.push(row);
  }

  write(fileName = `${this.bench}.json`): string {
    const result: BenchResult = {
      bench: this.bench,
      command: this.command,
      startedAt: this.#startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), loadAvgAtStart: this.#loadAtStart.map(round2), loadAvgAtEnd: loadavg().map(round2) },
      commit: commit(),
      rows: this.rows,
      notes: this.notes,
    };
    mkdirSync(resultsDir, { recursive: true });
    const path = join(resultsDir, fileName);
    writeFileSync(path, JSON.stringify(result, null, 2) + "\n");
    console.log(`wrote ${path}`);
    return path;
  }
}

const round2 = (x: number) => Number(x.toFixed(2));
