/**
 * The list-append consistency checker (judge/checkers, Elle's analysis) on generated histories of 10k, 50k and 100k
 * ops, read from an NDJSON history file as the judge reads them, each repetition in a fresh child process (peak RSS
 * is per process). Histories (judge/checkers/testing/list-append-history.ts, 20 clients, 5 % failed and 5 % unknown
 * transactions, keys retiring after ~100 appends):
 * - clean: a serial execution with random concurrency windows (strict serializable; the checker must pass it);
 * - planted: the same with a known anomaly planted every 1,000 transactions (G0, G1a, G1b, G1c, G-single, G2-item,
 *   lost update, internal, stale read);
 * - lost-updates: a database that reads a snapshot and applies appends without conflict checks, so thousands of
 *   overlapping G-single and lost-update cases: the search's hard case.
 * Each is checked under serializable (ww/wr/rw graph) and strict-serializable (plus process and realtime edges).
 * Baseline in the same process tree: reading and validating the same file only (readWorkloadHistory), for scale.
 * Goal: 100,000 ops checked in at most 10 s with at most 1 GB.
 *
 *   npx tsx bench/consistency-checker.ts [repetitions=3]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { checkListAppend } from "../judge/checkers/list-append/check.ts";
import { readWorkloadHistory } from "../judge/checkers/read-history.ts";
import type { ConsistencyModel } from "../judge/checkers/result.ts";
import { generateListAppendHistory } from "../judge/checkers/testing/list-append-history.ts";
import type { HistoryOptions } from "../judge/checkers/testing/list-append-history.ts";
import { PLANT_KINDS } from "../judge/checkers/testing/planted.ts";
import { BenchRecorder } from "./lib/results.ts";
import { describeStats, pairedRatios, ratio, stats } from "./lib/stats.ts";

const SIZES = [10_000, 50_000, 100_000];
const MODELS: readonly ConsistencyModel[] = ["serializable", "strict-serializable"];
const KINDS: Record<string, Partial<HistoryOptions>> = {
  clean: {},
  planted: { plant: { every: 1_000, kinds: PLANT_KINDS } },
  "lost-updates": { mode: "lost-updates" },
};

interface ChildResult {
  readMs: number;
  checkMs: number;
  peakRssMb: number;
  verdict?: string;
  why?: string;
}

const peakRssMb = () => Number((process.resourceUsage().maxRSS / 1024).toFixed(1));

async function child(mode: string, file: string, model: string): Promise<ChildResult> {
  const started = performance.now();
  const history = await readWorkloadHistory(file);
  const readMs = performance.now() - started;
  if (history.problems.length > 0) throw new Error(`${file}: ${history.problems.length} problems, first: ${history.problems[0]!.message}`);
  if (mode === "--child-read") return { readMs, checkMs: 0, peakRssMb: peakRssMb() };
  const result = checkListAppend(history.ops, { model: model as ConsistencyModel, budgetMs: 60_000 });
  return { readMs, checkMs: result.elapsedMs, peakRssMb: peakRssMb(), verdict: result.verdict, why: result.why };
}

function inChild(mode: string, file: string, model: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), mode, file, model], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (d: Buffer) => (out += d.toString()));
    proc.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as ChildResult) : reject(new Error(`${mode} ${file} exited ${code}`))));
  });
}

const [mode, fileArg, modelArg] = process.argv.slice(2);
if (mode === "--child-check" || mode === "--child-read") {
  process.stdout.write(JSON.stringify(await child(mode, fileArg!, modelArg ?? "")) + "\n");
} else {
  const repetitions = Number(mode ?? 3);
  const recorder = new BenchRecorder("consistency-checker", `npx tsx bench/consistency-checker.ts ${process.argv.slice(2).join(" ")}`.trim());
  const dir = await mkdtemp(join(tmpdir(), "havoc-bench-checker-"));
  console.log(`list-append checker: ${SIZES.join(", ")} ops x ${Object.keys(KINDS).join(", ")} x ${MODELS.join(", ")}, ${repetitions} repetitions each in its own process`);
  console.log("kind          ops      model                 check ms (p50)  read ms  peak RSS MB  read-only RSS MB  verdict");
  for (const [kind, kindOptions] of Object.entries(KINDS)) {
    for (const size of SIZES) {
      const file = join(dir, `${kind}-${size}.ndjson`);
      const ops = generateListAppendHistory({ txns: size, processes: 20, seed: size + kind.length, failRate: 0.05, infoRate: 0.05, ...kindOptions });
      await writeFile(file, ops.map((op) => JSON.stringify(op)).join("\n") + "\n");
      const reads: ChildResult[] = [];
      for (let i = 0; i < repetitions; i++) reads.push(await inChild("--child-read", file, ""));
      for (const model of MODELS) {
        const checks: ChildResult[] = [];
        for (let i = 0; i < repetitions; i++) checks.push(await inChild("--child-check", file, model));
        const time = stats(checks.map((c) => c.checkMs), 0);
        const readTime = stats(reads.map((c) => c.readMs), 0);
        const rss = stats(checks.map((c) => c.peakRssMb), 0);
        const rssFloor = stats(reads.map((c) => c.peakRssMb), 0);
        const last = checks.at(-1)!;
        console.log(`${kind.padEnd(13)} ${String(size).padEnd(8)} ${model.padEnd(21)} ${String(time.p50).padStart(14)}  ${String(readTime.p50).padStart(7)}  ${String(rss.p50).padStart(11)}  ${String(rssFloor.p50).padStart(16)}  ${last.verdict}: ${last.why!.slice(0, 110)}`);
        const figure = `${size.toLocaleString("en")}-op ${kind} list-append history under ${model}`;
        const floor = "reading and validating the same history file only";
        const big = size === 100_000;
        recorder.add({ id: `checker.${kind}.${size}.${model}.check-ms`, figure: `${figure}: check time`, unit: "ms", havoc: time, baseline: { what: floor, stats: readTime }, ratio: ratio(time.p50, readTime.p50), ...(big ? { goal: "at most 10,000 ms" } : {}) });
        recorder.add({ id: `checker.${kind}.${size}.${model}.peak-rss`, figure: `${figure}: peak RSS of the process (read + check)`, unit: "MB", havoc: rss, baseline: { what: floor, stats: rssFloor }, ratio: ratio(rss.p50, rssFloor.p50), pairedRatio: pairedRatios(checks.map((c) => c.peakRssMb), reads.map((c) => c.peakRssMb)), ...(big ? { goal: "at most 1,024 MB" } : {}) });
        recorder.notes.push(`${kind} ${size} ${model}: ${last.verdict} (${last.why!.slice(0, 200)})`);
      }
      console.log(`${"".padEnd(13)} ${String(size).padEnd(8)} read only: ${describeStats(stats(reads.map((c) => c.readMs), 0))}`);
    }
  }
  recorder.notes.push("Each figure: p50 over the repetitions, each in a fresh node process (tsx loader included in RSS). The machine is a shared 2-core box: other sessions ran alongside (load averages in the header).");
  recorder.write();
  await rm(dir, { recursive: true, force: true });
}
