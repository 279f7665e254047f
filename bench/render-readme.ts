/**
 * Writes the figures of bench/results/*.json into bench/README.md between its marker comments, so the README only
 * ever shows what a run measured, with the command behind each table. Run by `npm run bench` after the benches, or
 * alone: `npx tsx bench/render-readme.ts`.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { resultsDir, type BenchResult, type BenchRow } from "./lib/results.ts";
import type { Stats } from "./lib/stats.ts";
import { suites } from "./suites.ts";

const readmePath = fileURLToPath(new URL("./README.md", import.meta.url));
const NETWORK_KINDS = ["isolate", "partition", "partition-one-way", "zone-cut", "packet-loss", "bandwidth"];

function load(name: string): BenchResult | undefined {
  const path = join(resultsDir, `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as BenchResult) : undefined;
}

const num = (x: number) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString("en") : String(x));
const spread = (s: Stats) => `p95 ${num(s.p95)}; ${num(s.min)}–${num(s.max)}`;

function rowLine(r: BenchRow): string {
  const base = r.baseline;
  const paired = r.pairedRatio ? `${r.pairedRatio.p50} (${r.pairedRatio.min}–${r.pairedRatio.max})` : "—";
  return `| ${r.figure} | ${r.unit} | **${num(r.havoc.p50)}** | ${spread(r.havoc)} | ${r.havoc.n} | ${base ? `${base.what}: **${num(base.stats.p50)}** (${spread(base.stats)})` : "—"} | ${r.ratio ?? "—"} | ${paired} | ${r.goal ?? ""} |`;
}

function section(name: string, title: string, pending?: string): string {
  const result = load(name);
  if (!result) {
    return `### ${title}\n\n_Not measured yet${pending ? `: ${pending}` : ""}._ Hook: \`bench/${name}.ts\` writing \`bench/results/${name}.json\` with \`BenchRecorder\` (bench/lib/results.ts); remove its \`pending\` mark in bench/suites.ts and \`npm run bench\` runs it and fills this section.\n`;
  }
  const load0 = result.machine.loadAvgAtStart[0];
  const load1 = result.machine.loadAvgAtEnd[0];
  return (
    `### ${title}\n\n` +
    `\`${result.command}\` — ${result.startedAt.slice(0, 16).replace("T", " ")} UTC, commit ${result.commit}, ${result.machine.cores} cores, load average ${load0} at start, ${load1} at end\n\n` +
    `| figure | unit | havoc p50 | spread | n | baseline (same process tree): p50 (spread) | ratio of p50s | paired ratio: median (min–max) | goal |\n|---|---|---|---|---|---|---|---|---|\n` +
    result.rows.map(rowLine).join("\n") +
    "\n" +
    (result.notes.length ? `\n${result.notes.map((n) => `- ${n}`).join("\n")}\n` : "")
  );
}

function beforeAfter(): string {
  const before = load("fault-latency-before");
  const after = load("fault-latency");
  if (!before || !after) return "_Needs bench/results/fault-latency-before.json and fault-latency.json._\n";
  const find = (r: BenchResult, id: string) => r.rows.find((row) => row.id === id);
  const cell = (row: BenchRow | undefined) => (row ? `${num(row.havoc.p50)} (p95 ${num(row.havoc.p95)}), ${row.ratio}× by hand` : "—");
  const lines = NETWORK_KINDS.map((kind) => {
    const ids = [`fault.${kind}.inject`, `fault.${kind}.heal`];
    return `| ${kind} | ${cell(find(before, ids[0]!))} | ${cell(find(after, ids[0]!))} | ${cell(find(before, ids[1]!))} | ${cell(find(after, ids[1]!))} |`;
  });
  return (
    `Before: \`${before.command}\` on commit ${before.commit}, ${before.startedAt.slice(0, 16).replace("T", " ")} UTC (load ${before.machine.loadAvgAtStart[0]}). ` +
    `After: \`${after.command}\` on commit ${after.commit}, ${after.startedAt.slice(0, 16).replace("T", " ")} UTC (load ${after.machine.loadAvgAtStart[0]}). ms, p50 (p95) over ${after.rows[0]?.havoc.n ?? "?"} injections, and the ratio to the same rules applied by hand in the same run.\n\n` +
    `| kind | inject before (sidecar per fault) | inject after | heal before | heal after |\n|---|---|---|---|---|\n${lines.join("\n")}\n`
  );
}

function replaceBetween(text: string, marker: string, body: string): string {
  const start = `<!-- bench:${marker}:start -->`;
  const end = `<!-- bench:${marker}:end -->`;
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error(`${readmePath}: markers ${start} ... ${end} not found`);
  return text.slice(0, a + start.length) + "\n" + body.trimEnd() + "\n" + text.slice(b);
}

/** Rewrites the README's generated parts; returns a one-line summary. */
export function renderReadme(): string {
  let text = readFileSync(readmePath, "utf8");
  text = replaceBetween(text, "results", suites.map((s) => section(s.name, s.title, s.pending)).join("\n"));
  text = replaceBetween(text, "network-before-after", beforeAfter());
  writeFileSync(readmePath, text);
  const measured = suites.filter((s) => load(s.name)).length;
  return `bench/README.md: ${measured} of ${suites.length} sections from result files (${suites.filter((s) => !load(s.name)).map((s) => s.name).join(", ") || "none"} not measured yet)`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) console.log(renderReadme());
