import { basename } from "node:path";
import { formatMs, runPorcupineCheck, type ProcessOutcome } from "./linearizable-process.ts";
import { LinearizableResult, type PorcupineKeyResult } from "./linearizable-result.ts";
import { toRegisterHistory, type Problem, type RegisterHistory } from "./register-ops.ts";
import type { WorkloadOp } from "./workload-op.ts";

export { LinearizableResult } from "./linearizable-result.ts";

export interface LinearizableOptions {
  /** The porcupine-check binary (built from env/go/porcupine-check). */
  binaryPath: string;
  /** Bound on one key's search; a key past it is unknown. Default 10 s. */
  timeoutMsPerKey?: number;
  /** Bound on the whole check; keys not reached in time are unknown and the process is killed a grace later. Default 60 s. */
  budgetMs?: number;
  /** Where linearizability-<key>.html goes for each key that is not linearizable; none written when absent. */
  visualizationDir?: string;
  /** The Go program's memory limit; a key whose search outgrows it is unknown. Default 512 MB. */
  memoryLimitMB?: number;
}

export const defaultTimeoutMsPerKey = 10_000;
export const defaultBudgetMs = 60_000;
export const defaultMemoryLimitMB = 512;
/** Past the budget, time for the program to write its visualizations and output before it is killed. */
export const killGraceMs = 5_000;

/**
 * Checks that a register history (read / write / cas on a few keys) is linearizable, each key on its own, with
 * Porcupine run by the porcupine-check binary. Never throws for a bad history or a broken binary: those give the
 * verdict unknown with the reason in `why`.
 */
export async function checkLinearizable(ops: readonly WorkloadOp[], options: LinearizableOptions): Promise<LinearizableResult> {
  const started = process.hrtime.bigint();
  const timeoutMsPerKey = options.timeoutMsPerKey ?? defaultTimeoutMsPerKey;
  const budgetMs = options.budgetMs ?? defaultBudgetMs;
  const history = toRegisterHistory(ops);
  let outcome: ProcessOutcome | undefined;
  if (history.problems.length === 0 && history.keys.length > 0) {
    const input = {
      timeoutMsPerKey,
      visualizationDir: options.visualizationDir ?? null,
      memoryLimitMB: options.memoryLimitMB ?? defaultMemoryLimitMB,
      budgetMs,
      keys: history.keys,
    };
    outcome = await runPorcupineCheck(options.binaryPath, input, budgetMs + killGraceMs);
  }
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  return summarize(history, outcome, { elapsedMs, timeoutMsPerKey });
}

/**
 * The verdict: fail if any key is illegal (a violation found is real whatever else went wrong), else unknown if
 * the input had problems, there was nothing to check, the process failed, a key was left unknown or a key went
 * missing from the output; else pass.
 */
export function summarize(history: RegisterHistory, outcome: ProcessOutcome | undefined, timing: { elapsedMs: number; timeoutMsPerKey: number }): LinearizableResult {
  const base = { elapsedMs: Number(timing.elapsedMs.toFixed(1)), maxMsPerKey: timing.timeoutMsPerKey, problems: history.problems };
  if (history.problems.length > 0) {
    return LinearizableResult.parse({ ...base, verdict: "unknown", why: problemsWhy(history.problems), keys: [] });
  }
  if (history.keys.length === 0) {
    return LinearizableResult.parse({ ...base, verdict: "unknown", why: "no register ops to check", keys: [] });
  }
  if (outcome === undefined || !outcome.ok) {
    return LinearizableResult.parse({ ...base, verdict: "unknown", why: outcome?.reason ?? "porcupine-check was not run", keys: [] });
  }
  const keys = outcome.output.keys;
  const sent = history.keys.map((k) => k.key);
  const reported = new Set(keys.map((k) => k.key));
  const illegal = keys.filter((k) => k.result === "illegal");
  if (illegal.length > 0) {
    const more = illegal.length > 1 ? `; also not linearizable: ${illegal.slice(1).map((k) => `key ${k.key}`).join(", ")}` : "";
    return LinearizableResult.parse({ ...base, verdict: "fail", why: illegalWhy(illegal[0]!) + more, keys });
  }
  const missing = sent.filter((k) => !reported.has(k));
  if (missing.length > 0 || keys.length !== sent.length) {
    return LinearizableResult.parse({ ...base, verdict: "unknown", why: `porcupine-check reported ${keys.length} keys for the ${sent.length} sent${missing.length > 0 ? ` (missing key ${missing.join(", ")})` : ""}`, keys });
  }
  const unknown = keys.filter((k) => k.result === "unknown");
  if (unknown.length > 0) {
    const first = unknown[0]!;
    const more = unknown.length > 1 ? ` (${unknown.length} keys unknown)` : "";
    return LinearizableResult.parse({ ...base, verdict: "unknown", why: `key ${first.key}: ${first.reason ?? "no answer"} (${first.ops} ops)${more}`, keys });
  }
  const totalOps = keys.reduce((n, k) => n + k.ops, 0);
  const slowest = Math.max(...keys.map((k) => k.elapsedMs));
  const why = `${keys.length} key${keys.length === 1 ? "" : "s"} linearizable (${totalOps} ops; slowest key ${formatMs(slowest)}, bound ${formatMs(timing.timeoutMsPerKey)})`;
  return LinearizableResult.parse({ ...base, verdict: "pass", why, keys });
}

function illegalWhy(k: PorcupineKeyResult): string {
  const parts = [`${k.ops} ops`];
  if (k.linearizablePrefix !== undefined) parts.push(`prefix of ${k.linearizablePrefix.length} linearizable`);
  if (k.unlinearizableOp !== undefined) parts.push(`stuck at line ${k.unlinearizableOp + 1}`);
  if (k.visualization !== null) parts.push(`see ${basename(k.visualization)}`);
  else if (k.reason !== undefined) parts.push(k.reason);
  return `key ${k.key} is not linearizable (${parts.join("; ")})`;
}

function problemsWhy(problems: readonly Problem[]): string {
  const first = problems[0]!;
  const count = problems.length === 1 ? "1 register op" : `${problems.length} register ops`;
  return `${count} malformed, not checked (first: line ${first.line}: ${first.message})`;
}
