/**
 * The identity scenarios' figures over several runs: each scenario file is run N times through the CLI (a fresh
 * topology each time), and per run the failover time, acknowledged / lost / unknown writes (with the server that
 * acknowledged the lost ones), stale reads and diverged nodes are printed as one Markdown table row; the raw
 * figures go to a JSON file. Runs one after another (2 cores).
 *
 *   npx tsx bench/identity-figures.ts [runs=3] [out=reports/identity-figures.json] scenarios/identity/a.ts ...
 */
import { spawn } from "node:child_process";
import { mkdtemp, readlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readIdentityFigures, type IdentityFigures } from "../test/support/identity-figures.ts";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const runs = Number(process.argv[2] ?? 3);
const out = resolve(process.argv[3] ?? "reports/identity-figures.json");
const files = process.argv.slice(4);
if (!Number.isInteger(runs) || runs < 1 || files.length === 0) {
  console.error("usage: npx tsx bench/identity-figures.ts <runs> <out.json> <scenario file>...");
  process.exit(2);
}

async function runOnce(file: string, seed: number): Promise<{ exitCode: number | null; runDir: string }> {
  const reportsDir = await mkdtemp(join(tmpdir(), "havoc-identity-figures-"));
  const child = spawn(process.execPath, [join(repoRoot, "bin/havoc.js"), "run", file, "--seed", String(seed), "--reports", reportsDir], { cwd: repoRoot, stdio: ["ignore", "ignore", "inherit"] });
  const exitCode = await new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { exitCode, runDir: resolve(reportsDir, await readlink(join(reportsDir, "latest"))) };
}

const seconds = (ms: number | null | undefined) => (ms === null || ms === undefined ? "-" : (ms / 1000).toFixed(1));
const byNode = (counts: Record<string, number>) => Object.entries(counts).map(([node, n]) => `${node} ${n}`).join(", ") || "-";

function row(file: string, exitCode: number | null, f: IdentityFigures): string {
  const classes = Object.entries(f.byTraffic).map(
    ([name, c]) =>
      `${name}: ack ${c.acknowledged} lost ${c.lost}${c.lost > 0 ? ` (${byNode(c.lostByNode)}, ${seconds(c.lostBetweenMs?.[0])}-${seconds(c.lostBetweenMs?.[1])} s)` : ""} unknown ${c.unknown} stale ${c.staleReads}/${c.freshnessChecks}`,
  );
  const fault = f.fault ? `${seconds(f.fault.injectedAtMs)}-${seconds(f.fault.healedAtMs)} s` : "-";
  return `| ${file} | ${f.runId} | ${exitCode} ${f.verdict} | ${fault} | ${seconds(f.failoverMs)} | ${classes.join("; ")} | ${f.divergedNodes.join(", ") || "-"} |`;
}

const all: { file: string; exitCode: number | null; figures: IdentityFigures }[] = [];
console.log("| scenario | run | exit, verdict | fault (s) | failover (s) | per class | diverged |");
console.log("|---|---|---|---|---|---|---|");
for (const file of files) {
  for (let i = 0; i < runs; i++) {
    const { exitCode, runDir } = await runOnce(file, i + 1);
    const figures = await readIdentityFigures(runDir);
    all.push({ file, exitCode, figures });
    console.log(row(file, exitCode, figures));
    await writeFile(out, JSON.stringify(all, null, 2));
  }
}
