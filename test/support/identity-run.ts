import { readFile, readlink } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { RunReport } from "../../judge/report-schema.ts";
import { readIdentityFigures, type IdentityFigures } from "./identity-figures.ts";
import { leftovers, readLatestReport, runHavoc, type CliRun } from "./run-cli.ts";

/** Runs one identity scenario through the CLI and reads its report and figures (see identity-figures.ts). */
export async function runIdentityScenario(
  file: string,
  seed = 7,
): Promise<{ run: CliRun; report: RunReport; figures: IdentityFigures; leftovers: { containers: number; networks: number }; nodeLog: (node: string) => Promise<string> }> {
  // A run is about 90 s of containers and traffic; the deadline leaves room for a loaded machine.
  const run = await runHavoc(["run", file, "--seed", String(seed)], { timeoutMs: 290_000 });
  const report = await readLatestReport(run.reportsDir);
  const runDir = resolve(run.reportsDir, await readlink(join(run.reportsDir, "latest")));
  const figures = await readIdentityFigures(runDir);
  const nodeLog = (node: string) => readFile(join(runDir, "logs", `${node}.log`), "utf8");
  return { run, report, figures, leftovers: await leftovers(report.runId), nodeLog };
}

/** Verdict per SLO id, for one readable assertion. */
export function verdicts(report: RunReport): Record<string, string> {
  return Object.fromEntries(report.slos.map((s) => [s.id, s.verdict]));
}
