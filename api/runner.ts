/**
 * `havoc/runner`: run a scenario from a test runner and assert on its report.
 *
 * ```ts
 * import { expect, it } from "vitest";
 * import { runScenario } from "havoc/runner";
 * it("loses no acknowledged note when the app is killed", async () => {
 *   await using run = await runScenario("./scenarios/app-crash.scenario.ts");
 *   expect(run.slo("nothing-lost").verdict).toBe("pass");
 * }, 300_000);
 * ```
 *
 * A run tears its containers down itself, on every way out; disposing the result (`await using`, or
 * `await run[Symbol.asyncDispose]()`) also removes whatever still carries the run's label and stops its k6
 * processes, so a test that failed halfway through leaves nothing behind either.
 */
import { resolve } from "node:path";
import type { Logger } from "../core/log.ts";
import { DEFAULT_OUTPUT_DIR } from "../core/output-dir.ts";
import { createLogger, log as defaultLogger } from "../core/log.ts";
import type { SloResult } from "../core/verdict.ts";
import { removeRunResources } from "../env/docker/sweep.ts";
import { findLoadProcesses } from "../env/processes/orphan-load.ts";
import { loadScenarioFile } from "../scenario/load-scenario.ts";
import { runScenario as runOne } from "../engine/runner/run-scenario.ts";
import { enableTypeScriptImports } from "../engine/commands/typescript-imports.ts";
import type { RunReport } from "../judge/report-schema.ts";

export type { RunReport, SloResult };
export { checkScenarios } from "../engine/commands/check-scenarios.ts";
export type { CheckedFault, CheckedFile, CheckedPlan, CheckedTraffic, CheckOptions } from "../engine/commands/check-scenarios.ts";

export interface RunScenarioOptions {
  /** Overrides the scenario's seed. */
  seed?: number;
  /** Parent of runs/ and `latest`. Default ./havoc-results of the current folder. */
  reportsDir?: string;
  /** Progress lines. Default: havoc's own, on stderr; `false` for none. */
  log?: Logger | false;
  /** Abort: heal, stop traffic, tear down, report "aborted" (e.g. a test runner's timeout). */
  signal?: AbortSignal;
}

export interface ScenarioRun extends AsyncDisposable {
  runId: string;
  /** Folder of this run's reports (report.json, report.html, summary.md, ...). */
  runDir: string;
  report: RunReport;
  /** The exit code `havoc run` would give: 0 pass, 1 SLO failed, 3 harness error, 4 inconclusive. */
  exitCode: number;
  /** The result of one SLO, by id; throws naming the ids there are when there is none. */
  slo(id: string): SloResult;
}

/** Loads, validates and runs a scenario file (relative to the current folder), bootstrapping what is missing. */
export async function runScenario(file: string, options: RunScenarioOptions = {}): Promise<ScenarioRun> {
  const log = options.log === false ? createLogger("havoc", () => undefined) : (options.log ?? defaultLogger);
  // From the package's JavaScript inside the caller's process (their vitest), Node needs a hook to load .ts files.
  await enableTypeScriptImports();
  const scenario = await loadScenarioFile(file);
  const outcome = await runOne({
    file,
    scenario,
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    reportsDir: resolve(options.reportsDir ?? DEFAULT_OUTPUT_DIR),
    log,
    signal: options.signal ?? new AbortController().signal,
  });
  return {
    runId: outcome.runId,
    runDir: outcome.runDir,
    report: outcome.report,
    exitCode: outcome.exitCode,
    slo(id) {
      const found = outcome.report.slos.find((s) => s.id === id);
      if (!found) throw new Error(`no SLO "${id}" in ${scenario.name}; SLOs: ${outcome.report.slos.map((s) => s.id).join(", ")}`);
      return found;
    },
    async [Symbol.asyncDispose]() {
      for (const p of await findLoadProcesses()) {
        if (p.runId !== outcome.runId) continue;
        try {
          process.kill(p.pid, "SIGKILL");
        } catch {
          // Already gone.
        }
      }
      await removeRunResources(outcome.runId);
    },
  };
}
