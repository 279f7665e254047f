/**
 * The identity scenarios' figures over several runs: each scenario file is run N times through the CLI (a fresh
 * topology each time), and per run the failover time, acknowledged / lost / unknown writes (with the server that
 * acknowledged the lost ones), stale reads and diverged nodes are printed as one Markdown table row; the raw
 * figures go to a JSON file. Runs one after another (2 cores).
 *
 *   npx tsx bench/identity-figures.ts run <runs> <out.json> scenarios/identity/a.ts ...
 *   npx tsx bench/identity-figures.ts table <run dir>...      (the same rows from saved run directories)
 */
import { spawn } from "node:child_process";
import { mkdtemp, readlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readIdentityFigures, type IdentityFigures } from "../test/support/identity-figures.ts";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const [mode, ...args] = process.argv.slice(2);
const usage = "usage: npx tsx bench/identity-figures.ts run <runs> <out.json> <scenario file>... | table <run dir>...";

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
  const s = f.sentinel;
  const sentinel = s.switchMasterAtMs === null ? `no switch${s.splitVotes ? `, ${s.splitVotes} split vote(s)` : ""}` : `${seconds(s.failoverMs)} to ${s.newPrimary}${s.splitVotes ? ` after ${s.splitVotes} split vote(s)` : ""}`;
  return `| ${file} | ${f.runId} | ${exitCode ?? "-"} ${f.verdict} | ${fault} | ${sentinel} | ${seconds(f.failoverMs)} | ${classes.join("; ")} | ${f.divergedNodes.join(", ") || "-"} |`;
}

console.log("| scenario | run | exit, verdict | fault (s) | Sentinel failover (s) | clients served again (s) | per class | diverged |");
console.log("|---|---|---|---|---|---|---|---|");
if (mode === "table") {
  for (const dir of args) {
    const figures = await readIdentityFigures(resolve(dir));
    console.log(row(figures.scenario, null, figures));
  }
} else if (mode === "run") {
  const [runsText, outPath, ...files] = args;
  const runs = Number(runsText);
  if (!Number.isInteger(runs) || runs < 1 || !outPath || files.length === 0) {
    console.error(usage);
    process.exit(2);
  }
  const all: { file: string; exitCode: number | null; figures: IdentityFigures }[] = [];
  for (const file of files) {
    for (let i = 0; i < runs; i++) {
      const { exitCode, runDir } = await runOnce(file, i + 1);
      const figures = await readIdentityFigures(runDir);
      all.push({ file, exitCode, figures });
      console.log(row(file, exitCode, figures));
      await writeFile(resolve(outPath), JSON.stringify(all, null, 2));
    }
  }
} else {
  console.error(usage);
  process.exit(2);
}
